export declare const CODE_SERVER_VERSION: string;
export declare const PROFILE_SETTINGS: Record<string, unknown>;
export interface Profile {
  userDataDir: string;
  extensionsDir: string;
}
export declare function installArgs(vsix: string, profile: Profile): string[];
export declare function serveArgs(port: number, profile: Profile): string[];
export declare function ensureCodeServer(options?: { quiet?: boolean }): string;
