export declare const CODE_SERVER_VERSION: string;
export declare function ensureCodeServer(options?: { quiet?: boolean }): string;
