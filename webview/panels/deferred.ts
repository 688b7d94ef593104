/**
 * A panel's rebuild for a new trace, deferred to a task of its own. The trace
 * message's task already decodes the trace and feeds the store and the
 * graph, and the next frame lays the page out; a large trace rebuilt in
 * either would make one long task of everything. Requests before the run
 * coalesce into one.
 */
export interface Deferred {
  request(): void;
  /** A run is waiting: the state it will read is newer than what is drawn. */
  readonly pending: boolean;
  cancel(): void;
}

export function deferred(work: () => void): Deferred {
  // A message to ourselves runs as soon as the current task ends, without setTimeout's clamping.
  const channel = new MessageChannel();
  let pending = false;
  channel.port1.onmessage = () => {
    if (!pending) return;
    pending = false;
    work();
  };
  return {
    request() {
      if (pending) return;
      pending = true;
      channel.port2.postMessage(null);
    },
    get pending() {
      return pending;
    },
    cancel() {
      pending = false;
    },
  };
}
