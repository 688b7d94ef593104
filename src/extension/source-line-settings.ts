/**
 * `hopscope.sourceLines.*` (which editor surfaces show, which stack frames to
 * pass over) and `hopscope.pathMappings` (with `${workspaceFolder}` expanded).
 * Values come from hand-edited JSON: a bad one is named and its default used.
 */
import { readSkipFrames } from '../source/skip-frames';
import { DEFAULT_FINDING_THRESHOLDS, type FindingThresholds } from './call-site-text';

export interface SourceLineSettings {
  codeLens: boolean;
  hints: boolean;
  hovers: boolean;
  problems: boolean;
  revealOnSelect: boolean;
  /** `hopscope.sourceLines.skipFrames`, the valid entries: stack frames that are never a span's place. */
  skipFrames: string[];
  /** `hopscope.sourceLines.findingMinShare`, `…findingMinSavingMs`, `…findingMinSavingPercent`: when a finding is said. */
  thresholds: FindingThresholds;
  /** `hopscope.pathMappings` with variables expanded; validated by the source locator. */
  pathMappings: unknown;
  /** One sentence per bad setting. */
  errors: string[];
}

const SWITCHES = ['codeLens', 'hints', 'hovers', 'problems', 'revealOnSelect'] as const;

export function readSourceLineSettings(get: (key: string) => unknown, folders: readonly { name: string; path: string }[]): SourceLineSettings {
  const errors: string[] = [];
  const flag = (key: (typeof SWITCHES)[number]): boolean => {
    // Selecting a span only selects it: its line opens when asked (Go to Code), so the layout stays as it is.
    const fallback = key !== 'revealOnSelect';
    const value = get(`sourceLines.${key}`);
    if (value === undefined || typeof value === 'boolean') return value ?? fallback;
    errors.push(`hopscope.sourceLines.${key} must be true or false, not ${JSON.stringify(value)}; using ${fallback}.`);
    return fallback;
  };
  const [codeLens, hints, hovers, problems, revealOnSelect] = SWITCHES.map(flag) as [boolean, boolean, boolean, boolean, boolean];
  const skipFrames = readSkipFrames(get('sourceLines.skipFrames'));
  errors.push(...skipFrames.errors);
  const number = (key: string, fallback: number, max: number): number => {
    const value = get(`sourceLines.${key}`);
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max) return value;
    errors.push(`hopscope.sourceLines.${key} must be a number from 0 to ${max}, not ${JSON.stringify(value)}; using ${fallback}.`);
    return fallback;
  };
  const d = DEFAULT_FINDING_THRESHOLDS;
  const thresholds: FindingThresholds = {
    minShareOfTraces: number('findingMinShare', d.minShareOfTraces * 100, 100) / 100,
    minSavingUs: number('findingMinSavingMs', d.minSavingUs / 1000, 3_600_000) * 1000,
    minSavingShare: number('findingMinSavingPercent', d.minSavingShare * 100, 100) / 100,
  };
  return { codeLens, hints, hovers, problems, revealOnSelect, skipFrames: skipFrames.patterns, thresholds, pathMappings: expandFolders(get('pathMappings'), folders), errors };
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
