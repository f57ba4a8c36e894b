export type TsharkRow = Map<string, string[]>;
export declare function parseTsharkCsv(text: string): TsharkRow[];
