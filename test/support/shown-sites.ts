/**
 * Call sites as an editor whose workspace holds every path would show them: a site is kept when its last list is
 * the first one placed (src/extension/line-calls.ts), and with every path inside that is a site of one list, at
 * that list's first candidate.
 */
import type { CallSite, CodePlace } from '../../src/analysis/call-sites';
import type { PlaceCandidate } from '../../src/model/code-place';

export function shownSites(sites: readonly CallSite[]): (Omit<CallSite, 'place'> & { place: PlaceCandidate })[] {
  return sites.filter((s) => s.place.tries.length === 1).map((s) => ({ ...s, place: s.place.tries[0]![0]! }));
}

/** The candidate such an editor places a span at: its first list's first. */
export const shownPlace = (place: CodePlace | undefined): PlaceCandidate | undefined => place?.tries[0]?.[0];

/** One candidate list of one candidate, from code.* attributes. */
export const attributePlace = (path: string, line: number): CodePlace => ({ tries: [[{ path, line, from: 'attributes' }]] });
