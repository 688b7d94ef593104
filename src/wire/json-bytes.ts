/** The bytes of JSON's structure, for the readers that work on a request's bytes (otlp-json-fast-reader.ts). */
export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const BACKSLASH = 0x5c;

/** A lower-case hex digit (OTLP/JSON ids; upper case is left to the lenient decoder). */
export const HEX_DIGIT = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66);
