/**
 * Line numbers between OpenTelemetry and the editor, converted here and only
 * here: OTel's `code.line.number` counts from 1, VS Code's lines from 0.
 */

/** The editor's (0-based) line for an OTel (1-based) line; line 0 or less, which no SDK should send, is the first line. */
export function editorLine(otelLine: number): number {
  return Math.max(0, Math.floor(otelLine) - 1);
}

/** The editor's (0-based) character for an OTel (1-based) column; no column is the line's start. */
export function editorColumn(otelColumn: number | undefined): number {
  return otelColumn === undefined ? 0 : Math.max(0, Math.floor(otelColumn) - 1);
}
