/**
 * Line numbers between OpenTelemetry and the editor, converted here and only
 * here: OTel's `code.line.number` counts from 1, VS Code's lines from 0
 * (src/common/positions.ts brands the two).
 */
import { clampedColumn0, clampedLine0, column0, type Column0, type Line0 } from '../common/positions';

/** The editor's (0-based) line for an OTel (1-based) line; line 0 or less, which no SDK should send, is the first line. */
export function editorLine(otelLine: number): Line0 {
  return clampedLine0(otelLine);
}

/** The editor's (0-based) character for an OTel (1-based) column; no column is the line's start. */
export function editorColumn(otelColumn: number | undefined): Column0 {
  return otelColumn === undefined ? column0(0) : clampedColumn0(otelColumn);
}
