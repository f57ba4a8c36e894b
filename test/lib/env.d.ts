export declare const repoRoot: string;
export declare const inCI: boolean;
export declare function corpusDir(): string | null;
/** Every pcap/pcapng file of the corpus (recursively), or [] with a loud note. */
export declare function corpusCaptures(): string[];
/** True if `name` runs; otherwise a SKIP line (or a throw in CI). */
export declare function haveTool(name: string, versionArg?: string): boolean;
export declare function isRoot(): boolean;
/** The run's seed (test/run.ts sets SEED and prints it). */
export declare function seed(): number;
/** xorshift32: small, fast, reproducible. */
export declare class Rng {
    private s;
    constructor(seedValue: number);
    u32(): number;
    /** Integer in [0, n). */
    int(n: number): number;
    bool(p?: number): boolean;
}
