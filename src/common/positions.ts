/**
 * Line and column numbers, branded by what they count from, so that a 0-based
 * number cannot be passed where a 1-based one is meant (after vscode-js-debug's
 * positions.ts). Who counts how:
 *
 *   OTel code.line.number / code.column.number, V8 stack frames   lines 1-based, columns 1-based
 *   source maps (source-map-js)                                   lines 1-based, columns 0-based
 *   Node's SourceMap.findEntry, VS Code's Position                lines 0-based, columns 0-based
 *
 * A number becomes a position where it enters (`line1(callSite.getLineNumber())`),
 * and crosses between the two counts only through the functions below: no other
 * code adds or takes away 1. A branded number is still a number (arithmetic,
 * JSON, `new vscode.Position`).
 */
declare const counts: unique symbol;
type Counted<T extends string> = number & { readonly [counts]: T };

export type Line0 = Counted<'Line0'>;
export type Line1 = Counted<'Line1'>;
export type Column0 = Counted<'Column0'>;
export type Column1 = Counted<'Column1'>;

/** A position as the editor and Node's source maps count it: both from 0. */
export interface Position0 {
  line: Line0;
  column: Column0;
}

/** A position as OTel and stack traces count it: both from 1. */
export interface Position1 {
  line: Line1;
  column: Column1;
}

/** A number already counted from 0 (or 1), as the one who gave it says. */
export const line0 = (line: number): Line0 => line as Line0;
export const line1 = (line: number): Line1 => line as Line1;
export const column0 = (column: number): Column0 => column as Column0;
export const column1 = (column: number): Column1 => column as Column1;

export const toLine0 = (line: Line1): Line0 => (line - 1) as Line0;
export const toLine1 = (line: Line0): Line1 => (line + 1) as Line1;
export const toColumn0 = (column: Column1): Column0 => (column - 1) as Column0;
export const toColumn1 = (column: Column0): Column1 => (column + 1) as Column1;

export const toPosition0 = ({ line, column }: Position1): Position0 => ({ line: toLine0(line), column: toColumn0(column) });
export const toPosition1 = ({ line, column }: Position0): Position1 => ({ line: toLine1(line), column: toColumn1(column) });

/**
 * A 1-based number someone else sent (an SDK's attribute, a debug adapter's frame) as a 0-based one that is
 * a real place: a fraction is dropped, and 0 or less, which no sender should send, is the first.
 */
export const clampedLine0 = (line: number): Line0 => toLine0(line1(Math.max(1, Math.floor(line))));
export const clampedColumn0 = (column: number): Column0 => toColumn0(column1(Math.max(1, Math.floor(column))));
