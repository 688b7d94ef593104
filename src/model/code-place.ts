/**
 * Where a span's code is, as its data names it, before any file is looked at: what the worker reads from
 * spans (src/source/trace-places.ts) and the host resolves against its workspace (SourceLocator.placeOf).
 */

/** A place in the code a span names, as the telemetry names it (the host resolves the path). */
export interface PlaceCandidate {
  path: string;
  /** 1-based. */
  line: number;
  column?: number;
  /** Only the file's base name is known (Java). */
  suffixOnly?: boolean;
  /** Which of the span's data named it (src/source/span-source.ts). */
  from: 'attributes' | 'legacy-attributes' | 'code.stacktrace' | 'exception';
  functionName?: string;
}
