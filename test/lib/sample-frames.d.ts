export interface SampleFrame {
    name: string;
    data: Uint8Array;
    linktype: number;
}
export declare function refChecksum(bytes: Uint8Array, initial?: number): number;
export declare function buildSampleFrames(): SampleFrame[];
