/** The trace filters a workspace remembers (workspace state): the one in use, and the recent ones. */

export const ACTIVE_FILTER_KEY = 'hopscope.traces.filter';
/** Newest first. */
export const FILTER_HISTORY_KEY = 'hopscope.traces.filterHistory';
export const MAX_FILTER_HISTORY = 20;

/** The history after `query` was used: it comes first, once; at most MAX_FILTER_HISTORY are kept. */
export function rememberQuery(history: readonly string[], query: string): string[] {
  const text = query.trim();
  return text === '' ? [...history] : [text, ...history.filter((q) => q !== text)].slice(0, MAX_FILTER_HISTORY);
}
