/**
 * `hopscope.sourceLines.*` (which editor surfaces show, which stack frames to
 * pass over, when a finding is said) and `hopscope.pathMappings` (with
 * `${workspaceFolder}` expanded). Defaults and bounds are package.json's
 * (settings-contract.ts); a bad value is named and its default used.
 */
import { readSkipFrames } from '../source/skip-frames';
import type { FindingThresholds } from './call-site-text';
import { SettingsReader, type Read, type SettingGetter } from './settings-reader';

export interface SourceLineSettings {
  codeLens: boolean;
  hints: boolean;
  hovers: boolean;
  /** `hopscope.sourceLines.problems`: findings in the Problems panel. */
  problems: boolean;
  /** Selecting a span only selects it unless this is on: its line opens when asked (Go to Code), so the layout stays as it is. */
  revealOnSelect: boolean;
  /** `hopscope.sourceLines.skipFrames`, the valid entries: stack frames that are never a span's place. */
  skipFrames: string[];
  /** `hopscope.sourceLines.findingMinShare`, `…findingMinSavingMs`, `…findingMinSavingPercent`: when a finding is said. */
  thresholds: FindingThresholds;
  /** `hopscope.pathMappings` with variables expanded; validated by the source locator. */
  pathMappings: unknown;
}

export function readSourceLineSettings(get: SettingGetter, folders: readonly { name: string; path: string }[]): Read<SourceLineSettings> {
  const read = new SettingsReader(get);
  const codeLens = read.boolean('sourceLines.codeLens');
  const hints = read.boolean('sourceLines.hints');
  const hovers = read.boolean('sourceLines.hovers');
  const problems = read.boolean('sourceLines.problems');
  const revealOnSelect = read.boolean('sourceLines.revealOnSelect');
  // skip-frames.ts checks each entry and names the bad ones itself.
  const skipFrames = readSkipFrames(read.raw('sourceLines.skipFrames'));
  for (const problem of skipFrames.errors) read.report(problem);
  const thresholds: FindingThresholds = {
    minShareOfTraces: read.number('sourceLines.findingMinShare') / 100,
    minSavingUs: read.number('sourceLines.findingMinSavingMs') * 1000,
    minSavingShare: read.number('sourceLines.findingMinSavingPercent') / 100,
  };
  const pathMappings = expandFolders(read.raw('pathMappings'), folders);
  return { value: { codeLens, hints, hovers, problems, revealOnSelect, skipFrames: skipFrames.patterns, thresholds, pathMappings }, problems: read.problems };
}

/**
 * `${workspaceFolder}` (the first folder) and `${workspaceFolder:name}` in the
 * mappings' local folders. An unknown name is left as it is, so the locator
 * reports the entry as not expanded.
 */
export function expandFolders(raw: unknown, folders: readonly { name: string; path: string }[]): unknown {
  const expand = (to: unknown): unknown =>
    typeof to !== 'string'
      ? to
      : to.replace(/\$\{workspaceFolder(?::([^}]*))?\}/g, (whole, name: string | undefined) => (name === undefined ? folders[0]?.path : folders.find((f) => f.name === name)?.path) ?? whole);
  if (Array.isArray(raw)) return raw.map((entry: unknown) => (typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? { ...entry, to: expand((entry as { to?: unknown }).to) } : entry));
  if (typeof raw === 'object' && raw !== null) return Object.fromEntries(Object.entries(raw).map(([from, to]) => [from, expand(to)]));
  return raw;
}
