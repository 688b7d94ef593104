/** A graph exported by the webview, as the file to save: its default name and its bytes. */
const PNG_PREFIX = 'data:image/png;base64,';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export interface ExportFile {
  /** e.g. `trace-0af76519.svg`. */
  fileName: string;
  bytes: Uint8Array;
  /** For the save dialog's filter. */
  filter: { [name: string]: string[] };
}

/** `base` names the file without extension, e.g. `trace-0af76519`. The data was checked by parseWebviewMessage. */
export function exportFile(format: 'svg' | 'png', data: string, base: string): ExportFile {
  if (format === 'svg') return { fileName: `${base}.svg`, bytes: new TextEncoder().encode(data), filter: { 'SVG image': ['svg'] } };
  if (!data.startsWith(PNG_PREFIX)) throw new Error('a PNG export must be a data:image/png;base64, URL');
  const bytes = Buffer.from(data.slice(PNG_PREFIX.length), 'base64');
  if (!PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) throw new Error('the exported data is not a PNG image');
  return { fileName: `${base}.png`, bytes, filter: { 'PNG image': ['png'] } };
}
