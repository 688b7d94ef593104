/**
 * What the real stack does, in one place: the services read their sleeps and
 * switches from here, and the tests read the same numbers as the truth the
 * analysis must find. Nothing here imports Hopscope or OpenTelemetry.
 *
 *   client ─► edge (node:http) ─fetch─► shop (express 5)
 *     shop ─► postgresql: 5 × SELECT … pg_sleep(0.012) through a pg.Pool  (an N+1)
 *     shop ─► redis: GET then SET (ioredis)
 *     shop ─fetch─► pricing GET /price, /stock, /tax, /shipping, /reviews  (one after another; node:http server)
 *     shop ─fetch─► pricing GET /quote ×3                                 (retry: 503, 503, 200)
 *     shop ─fetch─► recommend GET /recommend → 500, caught                 (fallback)
 *     shop ─http.request─► payments POST /charge (express 5) ─► postgresql INSERT … pg_sleep
 *     shop ─fetch─► notify POST /notify-email (300 ms)                     (sync-non-critical)
 *     shop ─amqplib publish─► rabbitmq exchange `orders` ─► warehouse (redis + postgresql)
 *                                                        └► notify (events scenario)
 */

export const SCENARIOS = ['sync', 'events', 'failure', 'timeout', 'fallback', 'retry'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const isScenario = (value: unknown): value is Scenario => typeof value === 'string' && (SCENARIOS as readonly string[]).includes(value);

/** How each scenario differs from `sync`. */
export interface Switches {
  notifyOverHttp: boolean;
  payments: 'ok' | 'fail' | 'slow';
  /** How long shop waits for payments before it gives up (see PAYMENTS_TIMEOUT_MS). */
  paymentsTimeoutMs: number;
  recommend: boolean;
  quoteRetry: boolean;
}

/** The timeout scenario: the charge takes this long, and shop gives up after `PAYMENTS_TIMEOUT_MS`. */
export const SLOW_CHARGE_MS = 1500;
export const PAYMENTS_TIMEOUT_MS = 250;
/**
 * The other scenarios' deadline for payments: one they never reach, even on a busy 2-core machine where
 * an 80 ms charge can take a few hundred (a sync order must not turn into a timeout by accident).
 */
export const RELAXED_PAYMENTS_TIMEOUT_MS = 5000;

const BASE: Switches = { notifyOverHttp: true, payments: 'ok', paymentsTimeoutMs: RELAXED_PAYMENTS_TIMEOUT_MS, recommend: false, quoteRetry: false };

export const SWITCHES: Record<Scenario, Switches> = {
  sync: BASE,
  events: { ...BASE, notifyOverHttp: false },
  failure: { ...BASE, payments: 'fail' },
  timeout: { ...BASE, payments: 'slow', paymentsTimeoutMs: PAYMENTS_TIMEOUT_MS },
  fallback: { ...BASE, recommend: true },
  retry: { ...BASE, quoteRetry: true },
};

/** Items in one order: one SELECT each (the N+1). */
export const ITEMS = 5;
/** Each item SELECT sleeps this long in PostgreSQL (`pg_sleep`). */
export const ITEM_QUERY_MS = 12;

/** The distinct pricing endpoints shop calls one after another, with how long pricing takes for each. */
export const PRICING_CALLS = [
  { path: '/price', ms: 15 },
  { path: '/stock', ms: 20 },
  { path: '/tax', ms: 10 },
  { path: '/shipping', ms: 25 },
  { path: '/reviews', ms: 30 },
] as const;

/** The retried pricing endpoint: answers these statuses to the attempts of one order, each after `QUOTE_MS`. */
export const QUOTE_PATH = '/quote';
export const QUOTE_STATUSES = [503, 503, 200] as const;
export const QUOTE_MS = 8;
/** Shop waits this long before each retry. */
export const QUOTE_BACKOFF_MS = 20;

export const RECOMMEND_PATH = '/recommend';
export const RECOMMEND_MS = 15;

/** Payments charges by inserting a row with `pg_sleep` in the same statement. */
export const CHARGE_MS = 80;
/** The failure scenario: payments answers 500 after this long, without charging. */
export const CHARGE_FAIL_MS = 20;
/** notify's e-mail, over HTTP (sync) or as a consumer (events). */
export const NOTIFY_MS = 300;

/** The exchange shop publishes to and its routing keys: warehouse binds `order.placed.#`, notify `order.placed.email`. */
export const EXCHANGE = 'orders';
export const ROUTING_KEY = 'order.placed';
export const ROUTING_KEY_WITH_EMAIL = 'order.placed.email';
export const WAREHOUSE_QUEUE = 'warehouse.order-placed';
export const NOTIFY_QUEUE = 'notify.order-placed';

export const SERVICES = ['edge', 'shop', 'pricing', 'payments', 'notify', 'warehouse', 'recommend'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** How each service exports its spans (a mix, so both receivers carry real traffic). */
export const EXPORT_PROTOCOL: Record<ServiceName, 'grpc' | 'http/protobuf'> = {
  edge: 'http/protobuf',
  shop: 'grpc',
  pricing: 'grpc',
  payments: 'http/protobuf',
  notify: 'grpc',
  warehouse: 'http/protobuf',
  recommend: 'http/protobuf',
};

export const SCHEMA_SQL = `
CREATE TABLE items (id int PRIMARY KEY, sku text NOT NULL, name text NOT NULL, price_cents int NOT NULL);
INSERT INTO items SELECT i, 'sku-' || i, 'item ' || i, 100 * i FROM generate_series(1, ${ITEMS}) AS i;
CREATE TABLE charges (id serial PRIMARY KEY, order_id text NOT NULL, amount_cents int NOT NULL, at timestamptz NOT NULL DEFAULT now());
CREATE TABLE stock (sku text PRIMARY KEY, reserved int NOT NULL DEFAULT 0);
INSERT INTO stock SELECT 'sku-' || i FROM generate_series(1, ${ITEMS}) AS i;
`;

/** The HTTP status the edge answers the client with, per scenario. */
export const EXPECTED_STATUS: Record<Scenario, number> = { sync: 201, events: 201, failure: 502, timeout: 504, fallback: 201, retry: 201 };
