export declare function packageExtension(out?: string): string;
