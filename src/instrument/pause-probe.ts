/**
 * Measures, inside the debugged process, exactly when the debugger stopped and
 * resumed it, so that Hopscope takes out the pause the process really had and
 * not the editor's view of it. The editor learns of a stop only when the
 * debug adapter has built its stack (tens to hundreds of ms after the process
 * stopped), and of the resume when it asks for it; that difference would stay
 * in the compensated figures.
 *
 *   main thread    ─beat─beat─beat─┤ stopped by the debugger ├─beat─beat─
 *   probe worker   reads the last beat ──────────────── Debugger.resumed: a stop from the last beat to now
 *
 * The main thread writes the time into shared memory every BEAT_MS, and the
 * last gap between two beats (its first beat after a stop is overdue); the
 * worker, which the debugger does not stop, holds an inspector session on the
 * main thread that skips every pause (it can never be the cause of one) and is
 * told of each resume. The resume reaches the worker a little after the main
 * thread runs again, so it may find the first beat after the stop written:
 * then the stop is that gap, else from the last beat to now. Each stop goes to Hopscope's /api/pauses with reason
 * `measured`: it does not count as a pause of its own, it only corrects the
 * editor's pause it contains (src/ingest/pause-book.ts).
 *
 * Only in a process a debugger is attached to (an inspector is open) that
 * Hopscope launched (its resource names a `hopscope.debug.session`), sending
 * over OTLP/HTTP (the API is on that port).
 */
import { url as inspectorUrl } from 'node:inspector';
import { Worker } from 'node:worker_threads';
import { say } from './guard';

/** How often the main thread writes the time, ms: the most a stop's start can be early by. */
const BEAT_MS = 5;
/** A gap between beats this long is a stop (or a long task), µs; shorter stops are not reported. */
const GAP_US = BEAT_MS * 4 * 1000;

/** The probe, as the worker's source: it runs beside the app, not in Hopscope's bundle scope. */
const PROBE = `
const { Session } = require('node:inspector');
const { workerData } = require('node:worker_threads');
const http = require('node:http');
const beat = new Float64Array(workerData.beat);
const now = () => (performance.timeOrigin + performance.now()) * 1000;
const target = new URL('/api/pauses', workerData.endpoint);
const MIN_US = ${GAP_US};
let lastResume = 0;
let pending = [];
let timer;
function send() {
  timer = undefined;
  const body = JSON.stringify({ pauses: pending.splice(0, 256) });
  const call = http.request(target, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => res.resume());
  call.on('error', () => {});
  call.end(body);
  if (pending.length > 0) timer = setTimeout(send, 50);
}
const session = new Session();
session.connectToMainThread();
session.on('Debugger.resumed', () => {
  const at = now();
  // [last beat, gap start, gap end]: has the main thread beaten since it ran again?
  const beaten = at - beat[0] < MIN_US;
  const start = Math.max(beaten ? beat[1] : beat[0], lastResume);
  const end = beaten ? beat[2] : at;
  lastResume = end;
  if (end - start < MIN_US) return;
  pending.push({ session: workerData.session, sessionName: workerData.name, startUs: Math.round(start), endUs: Math.round(end), reason: 'measured', location: null });
  if (pending.length > 1024) pending.shift();
  timer ??= setTimeout(send, 20);
});
session.post('Debugger.enable');
session.post('Debugger.setSkipAllPauses', { skip: true });
setInterval(() => {}, 1 << 30);
`;

/**
 * Starts the probe when this process is being debugged in a session Hopscope launched (`session`: the
 * `hopscope.debug.session` of its resource, as the SDK read it); returns whether it did.
 */
export function startPauseProbe(session: string | undefined, env: NodeJS.ProcessEnv): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const protocol = env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  if (session === undefined || endpoint === undefined || protocol === 'grpc' || inspectorUrl() === undefined) return false;
  const shared = new SharedArrayBuffer(3 * 8);
  const beat = new Float64Array(shared);
  const write = () => {
    const at = (performance.timeOrigin + performance.now()) * 1000;
    if (at - beat[0]! >= GAP_US) {
      beat[1] = beat[0]!;
      beat[2] = at;
    }
    beat[0] = at;
  };
  write();
  setInterval(write, BEAT_MS).unref();
  const worker = new Worker(PROBE, { eval: true, workerData: { beat: shared, endpoint, session, name: env.OTEL_SERVICE_NAME ?? '' } });
  worker.on('error', (error) => say(`the pause probe stopped: ${error.message}`));
  worker.unref();
  // A process leaving with an inspector session still connected waits for it to disconnect ("Waiting for
  // the debugger to disconnect..."): the probe's session goes first.
  process.once('exit', () => void worker.terminate());
  return true;
}
