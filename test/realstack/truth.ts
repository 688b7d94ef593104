/**
 * What each scenario really did, written down from the plan the services run
 * (plan.ts): who took part, which calls were awaited one after another, how
 * long the sleeps were, what failed and where it stopped. The checks in
 * expectations.ts compare the analysis with this, never with what the
 * analysis said before; the golden fixtures carry it as truth.json.
 */
import {
  CHARGE_FAIL_MS, CHARGE_MS, EXCHANGE, ITEM_QUERY_MS, ITEMS, NOTIFY_MS, PAYMENTS_TIMEOUT_MS, PRICING_CALLS, QUOTE_BACKOFF_MS, QUOTE_MS,
  QUOTE_PATH, QUOTE_STATUSES, RECOMMEND_MS, RECOMMEND_PATH, ROUTING_KEY, ROUTING_KEY_WITH_EMAIL, SLOW_CHARGE_MS, SWITCHES, EXPECTED_STATUS, type Scenario,
} from './plan';

export interface Truth {
  scenario: Scenario;
  description: string;
  /** What edge answered the client. */
  status: number;
  /** Every service that sent spans for the request. */
  services: string[];
  rootService: 'edge';
  /** All services ran on this one machine, with one clock (one host.id). */
  hosts: 1;
  /** shop loads each item with its own SELECT, awaited one after another, each sleeping in PostgreSQL. */
  nPlusOne: { service: 'shop'; peer: 'postgresql'; statementContains: string; count: number; minQueryMs: number };
  /** shop's distinct calls to pricing, awaited one after another (pricing's sleep for each). */
  sequentialPricing: { service: 'shop'; peer: 'pricing'; calls: { path: string; ms: number }[] };
  /** shop → payments POST /charge with node:http. */
  payments: { path: '/charge'; behaviour: 'ok' | 'fail' | 'slow'; ms: number; callerGivesUpMs: number };
  /** shop → notify: over HTTP (sync, awaited), through the queue (events), or not at all (the order failed first). */
  notify: { via: 'http' | 'queue' | 'none'; path: '/notify-email'; ms: number };
  /** Published to RabbitMQ (null when the order failed before publishing). */
  published: { exchange: string; routingKey: string; consumers: string[] } | null;
  /** The failure that reached the root, and where it started. */
  cascade: { originService: string; reachesRoot: true; originIsCallerTimeout: boolean } | null;
  /** The caller gave up while the callee worked on. */
  timeout: { callerService: 'shop'; calleeService: 'payments'; callerGaveUpAfterMs: number; calleeWorkedMs: number; overrunMs: number } | null;
  /** A failure that a fallback absorbed. */
  contained: { originService: string; containedByService: 'shop'; path: string; ms: number } | null;
  /** Attempts of one operation after failures. */
  retry: { service: 'shop'; peer: 'pricing'; path: string; statuses: number[]; attempts: number; backoffMs: number; ms: number } | null;
}

const DESCRIPTIONS: Record<Scenario, string> = {
  sync: 'Everything succeeds; shop waits for notify over HTTP before answering.',
  events: 'Everything succeeds; notify is not called but consumes order.placed.email from RabbitMQ.',
  failure: 'payments answers 500; shop answers 502 and stops (no notify, nothing published).',
  timeout: `payments takes ${SLOW_CHARGE_MS} ms; shop gives up after ${PAYMENTS_TIMEOUT_MS} ms and answers 504, while payments keeps charging.`,
  fallback: 'recommend answers 500; shop catches it and the order succeeds.',
  retry: 'pricing /quote answers 503 twice, then 200; shop retries the same call.',
};

export function truthOf(scenario: Scenario): Truth {
  const switches = SWITCHES[scenario];
  const ordered = switches.payments === 'ok';
  const services = ['edge', 'shop', 'pricing', 'payments'];
  if (switches.recommend) services.push('recommend');
  if (ordered) services.push('notify', 'warehouse');
  const consumers = switches.notifyOverHttp ? ['warehouse'] : ['warehouse', 'notify'];
  return {
    scenario,
    description: DESCRIPTIONS[scenario],
    status: EXPECTED_STATUS[scenario],
    services: services.sort(),
    rootService: 'edge',
    hosts: 1,
    nPlusOne: { service: 'shop', peer: 'postgresql', statementContains: 'FROM items WHERE id = $1', count: ITEMS, minQueryMs: ITEM_QUERY_MS },
    sequentialPricing: { service: 'shop', peer: 'pricing', calls: PRICING_CALLS.map((c) => ({ path: c.path, ms: c.ms })) },
    payments: {
      path: '/charge',
      behaviour: switches.payments,
      ms: switches.payments === 'fail' ? CHARGE_FAIL_MS : switches.payments === 'slow' ? SLOW_CHARGE_MS : CHARGE_MS,
      callerGivesUpMs: switches.paymentsTimeoutMs,
    },
    notify: { via: !ordered ? 'none' : switches.notifyOverHttp ? 'http' : 'queue', path: '/notify-email', ms: NOTIFY_MS },
    published: ordered ? { exchange: EXCHANGE, routingKey: switches.notifyOverHttp ? ROUTING_KEY : ROUTING_KEY_WITH_EMAIL, consumers } : null,
    cascade: switches.payments === 'fail'
      ? { originService: 'payments', reachesRoot: true, originIsCallerTimeout: false }
      : switches.payments === 'slow'
        // payments never failed: the failure starts where shop gave up on it.
        ? { originService: 'shop', reachesRoot: true, originIsCallerTimeout: true }
        : null,
    timeout: switches.payments === 'slow'
      ? { callerService: 'shop', calleeService: 'payments', callerGaveUpAfterMs: PAYMENTS_TIMEOUT_MS, calleeWorkedMs: SLOW_CHARGE_MS, overrunMs: SLOW_CHARGE_MS - PAYMENTS_TIMEOUT_MS }
      : null,
    contained: switches.recommend ? { originService: 'recommend', containedByService: 'shop', path: RECOMMEND_PATH, ms: RECOMMEND_MS } : null,
    retry: switches.quoteRetry
      ? { service: 'shop', peer: 'pricing', path: QUOTE_PATH, statuses: [...QUOTE_STATUSES], attempts: QUOTE_STATUSES.length, backoffMs: QUOTE_BACKOFF_MS, ms: QUOTE_MS }
      : null,
  };
}
