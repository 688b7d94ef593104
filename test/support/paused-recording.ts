/**
 * A request recorded twice: as it ran, and as it runs with a debugger
 * stopping some processes meanwhile. A request is a program (each handler:
 * own work, then calls, one step after another, then own work), and a stopped
 * process does what a real one does:
 *
 *   - own work that reaches a pause of its process's session waits for the
 *     resume, then goes on (the span is stretched);
 *   - a span cannot start while its process is stopped: a request that
 *     arrives then (the client's span starts at once) starts at the resume;
 *   - a process that was waiting on a call takes up the answer only once
 *     resumed;
 *   - a broker delivers on its own clock; a consumer starts when the message
 *     arrives (consumers run in a service no debugger is attached to).
 *
 *   api ─ server [lead ─► call(s) … lead ─► call(s) … tail]
 *   call: internal (the same service) | client ─► server (another service) | publish ─► consumer
 *
 * The requests are drawn from a seed (mulberry32), so fast-check picks seeds.
 */
import { random } from './mutate';
import { DEBUG_SESSION_ATTRIBUTE, type DebugPause } from '../../src/model/pause';
import type { SpanRecord } from '../../src/model/span';
import { TRACE_ID } from './timeline';

const T0 = 1_700_000_000_000_000;

interface Service {
  name: string;
  /** The debug session its process was launched by, if any. */
  session: string | undefined;
}

export const SERVICES: Service[] = [
  { name: 'api', session: 'dbg-api' },
  { name: 'payments', session: 'dbg-payments' },
  { name: 'stock', session: undefined },
];
const AUDIT: Service = { name: 'audit', session: undefined };

interface Work {
  service: Service;
  kind: SpanRecord['kind'];
  name: string;
  steps: { lead: number; calls: Call[] }[];
  /** Own work after the last step (all of it, for a span with no steps), µs. */
  tail: number;
  failed: boolean;
}

type Call =
  | { type: 'internal'; work: Work }
  | { type: 'client'; server: Work; back: number }
  | { type: 'publish'; sendUs: number; queueUs: number; consumer: Work };

export type Random = () => number;

/** The seeded generator the mutation fuzzers use too (mulberry32). */
export const mulberry32 = (seed: number): Random => random(seed);

const int = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

/** A request of a few dozen spans at most. Every span lasts more than the clocks can blur (≥ 1.2 ms). */
export function randomRequest(random: Random): Work {
  const work = (service: Service, kind: SpanRecord['kind'], name: string, depth: number): Work => {
    const steps: Work['steps'] = [];
    const stepCount = depth >= 3 ? 0 : int(random, 0, depth === 0 ? 3 : 2);
    for (let s = 0; s < stepCount; s++) {
      const calls: Call[] = [];
      for (let c = int(random, 1, 3); c > 0; c--) {
        const pick = random();
        if (pick < 0.3) calls.push({ type: 'internal', work: work(service, 'internal', `${service.name} step ${depth}.${s}.${c}`, depth + 1) });
        else if (pick < 0.85) {
          const others = SERVICES.filter((o) => o !== service);
          const callee = others[int(random, 0, others.length - 1)]!;
          calls.push({ type: 'client', server: work(callee, 'server', `${callee.name} POST /op${int(random, 0, 3)}`, depth + 1), back: int(random, 0, 2000) });
        } else calls.push({ type: 'publish', sendUs: int(random, 1200, 3000), queueUs: int(random, 0, 5000), consumer: work(AUDIT, 'consumer', 'audit process', 3) });
      }
      steps.push({ lead: int(random, 0, 3000), calls });
    }
    return { service, kind, name, steps, tail: steps.length === 0 ? int(random, 1200, 40_000) : int(random, 0, 3000), failed: random() < 0.1 };
  };
  return work(SERVICES[0]!, 'server', 'api POST /checkout', 0);
}

/**
 * Pauses, on the clock of the recording they stop: up to three, each in the debugged
 * services' sessions, starting within the unpaused request and lasting 1 ms to 8 s.
 */
export function randomPauses(random: Random, unpaused: readonly SpanRecord[]): DebugPause[] {
  const end = Math.max(...unpaused.map((s) => s.endUs));
  return Array.from({ length: int(random, 1, 3) }, () => {
    const service = SERVICES[int(random, 0, 1)]!;
    const startUs = int(random, T0 + 1, end);
    const long = random() < 0.3;
    return { session: service.session!, startUs, endUs: startUs + (long ? int(random, 5_500_000, 8_000_000) : int(random, 1000, 50_000)), reason: 'breakpoint', sessionName: service.name, location: { path: `/app/${service.name}.ts`, line: 42 } };
  });
}

/** The spans the request makes when these pauses stop its processes (none: as it ran). */
export function record(request: Work, pauses: readonly DebugPause[]): SpanRecord[] {
  const stops = new Map<string, [number, number][]>();
  for (const p of [...pauses].sort((a, b) => a.startUs - b.startUs)) {
    const list = stops.get(p.session) ?? [];
    const last = list[list.length - 1];
    if (last && p.startUs <= last[1]) last[1] = Math.max(last[1], p.endUs!);
    else list.push([p.startUs, p.endUs!]);
    stops.set(p.session, list);
  }
  /** When `work` µs of running, from `t`, are done in this process. */
  const advance = (service: Service, t: number, work: number): number => {
    let time = t;
    let left = work;
    for (const [p, q] of (service.session && stops.get(service.session)) || []) {
      if (q <= time) continue;
      if (p > time + left || (p === time + left && left > 0)) break;
      if (p > time) {
        left -= p - time;
        time = p;
      }
      time = q;
    }
    return time + left;
  };
  const spans: SpanRecord[] = [];
  let next = 1;
  // Depth-first as the program is written: bounded (depth ≤ 4), so plain recursion.
  const run = (work: Work, parentId: string, arrives: number, attributes: SpanRecord['attributes'] = {}): SpanRecord => {
    const span = spanOf(work, (next++).toString(16).padStart(16, '0'), parentId, attributes);
    spans.push(span);
    span.startUs = advance(work.service, arrives, 0);
    let t = span.startUs;
    for (const step of work.steps) {
      const launch = advance(work.service, t, step.lead);
      let done = launch;
      for (const call of step.calls) {
        if (call.type === 'internal') done = Math.max(done, run(call.work, span.spanId, launch).endUs);
        else if (call.type === 'client') {
          const client = spanOf({ ...call.server, service: work.service, kind: 'client', name: `${work.service.name} → ${call.server.service.name}`, failed: false }, (next++).toString(16).padStart(16, '0'), span.spanId, { 'http.request.method': 'POST', 'url.path': call.server.name.split(' ').pop()!, 'http.response.status_code': 200 });
          spans.push(client);
          client.startUs = launch;
          const server = run(call.server, client.spanId, launch, { 'http.request.method': 'POST', 'http.route': call.server.name.split(' ').pop()! });
          client.endUs = advance(work.service, server.endUs, call.back);
          done = Math.max(done, client.endUs);
        } else {
          const producer = spanOf({ service: work.service, kind: 'producer', name: `${work.service.name} publish`, steps: [], tail: 0, failed: false }, (next++).toString(16).padStart(16, '0'), span.spanId, { 'messaging.system': 'queue', 'messaging.destination.name': 'orders' });
          spans.push(producer);
          producer.startUs = launch;
          producer.endUs = advance(work.service, launch, call.sendUs);
          run(call.consumer, producer.spanId, producer.endUs + call.queueUs, { 'messaging.system': 'queue' });
          done = Math.max(done, producer.endUs);
        }
      }
      // The answers are taken up when the process runs.
      t = advance(work.service, done, 0);
    }
    span.endUs = advance(work.service, t, work.tail);
    return span;
  };
  run(request, '', T0);
  return spans;
}

function spanOf(work: Work, spanId: string, parentSpanId: string, attributes: SpanRecord['attributes']): SpanRecord {
  const resource: SpanRecord['resource']['attributes'] = { 'service.name': work.service.name };
  if (work.service.session) resource[DEBUG_SESSION_ATTRIBUTE] = work.service.session;
  return {
    traceId: TRACE_ID, spanId, parentSpanId, traceState: '', flags: 1, name: work.name, kind: work.kind, service: work.service.name, startUs: 0, endUs: 0,
    status: { code: work.failed ? 'error' : 'unset', message: '' }, attributes, events: [], links: [],
    resource: { attributes: resource, droppedAttributesCount: 0 }, scope: { name: 'recorded', version: '' }, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
  };
}
