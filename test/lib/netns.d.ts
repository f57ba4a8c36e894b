export interface NetnsPair {
    /** Namespace names. */
    a: string;
    b: string;
    /** veth device names inside a and b. */
    ifA: string;
    ifB: string;
    /** IPv4 and IPv6 addresses of each end. */
    ipA: string;
    ipB: string;
    ip6A: string;
    ip6B: string;
}
export declare function ip(...args: string[]): string;
/** Runs a command inside a namespace (synchronously). */
export declare function nsExec(ns: string, cmd: string, args: string[], timeoutMs?: number): {
    status: number | null;
    stdout: string;
    stderr: string;
};
export declare function createNetnsPair(tag?: string): NetnsPair;
export declare function destroyNetnsPair(pair: NetnsPair): void;
/** Creates a pair, runs `body`, and always removes the pair. */
export declare function withNetnsPair<T>(body: (pair: NetnsPair) => Promise<T> | T, tag?: string): Promise<T>;
