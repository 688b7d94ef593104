/**
 * What a span *is*, as the semantic conventions say it, not as its name says:
 * HTTP instrumentations name client spans just `GET`, so five different calls
 * to one peer would look like one call made five times.
 *
 *   name  attributes                                          operation
 *   GET   http.request.method=GET url.full=…/price/42?x=1    GET /price/{id}
 *   GET   http.method=GET http.route=/orders/:id              GET /orders/:id
 *   pg.query:SELECT shop  db.query.text="SELECT … FROM items WHERE …"   SELECT items
 *   get   db.system=redis db.statement="get cart:7"           GET
 *   order.placed publish  messaging.operation=publish messaging.destination.name=order.placed
 *                                                             publish order.placed
 *   pg-pool.connect  db.system=postgresql (no query)          plumbing: part of the query that follows
 *
 * Everything here reads untrusted text: every pattern is linear (no nested
 * quantifiers) and runs on a bounded prefix.
 */
import type { Attributes, SpanRecord } from '../model/span';

const str = (a: Attributes, ...keys: string[]): string | undefined => {
  for (const key of keys) {
    const v = a[key];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return undefined;
};

/** Longest operation text kept; paths and queries beyond it say nothing more a person reads. */
const MAX_OPERATION = 120;
const QUERY_PREFIX = 400;

export function spanOperation(span: Pick<SpanRecord, 'name' | 'kind' | 'attributes'>): string {
  const a = span.attributes;
  const op = httpOperation(a) ?? rpcOperation(a) ?? dbOperation(a) ?? messagingOperation(a, span.kind);
  return clip(op ?? span.name);
}

function httpOperation(a: Attributes): string | undefined {
  const method = str(a, 'http.request.method', 'http.method');
  if (!method) return undefined;
  const route = str(a, 'http.route', 'url.template');
  if (route) return `${method} ${route}`;
  const path = str(a, 'url.path') ?? pathOf(str(a, 'http.target', 'url.full', 'http.url'));
  return path ? `${method} ${normalisePath(path)}` : method;
}

function rpcOperation(a: Attributes): string | undefined {
  const method = str(a, 'rpc.method');
  if (!method) return undefined;
  const service = str(a, 'rpc.service');
  return service && !method.includes('/') ? `${service}/${method}` : method;
}

function dbOperation(a: Attributes): string | undefined {
  if (!isDatabase(a)) return undefined;
  const query = str(a, 'db.query.text', 'db.statement');
  const parsed = query ? parseQuery(query) : undefined;
  const operation = str(a, 'db.operation.name', 'db.operation') ?? parsed?.operation;
  if (!operation) return undefined;
  const collection = str(a, 'db.collection.name', 'db.sql.table', 'db.mongodb.collection', 'db.cosmosdb.container') ?? parsed?.collection;
  return collection ? `${operation.toUpperCase()} ${collection}` : operation.toUpperCase();
}

/** amqplib (old conventions) names no operation on its publish: the kind says it. */
const KIND_OPERATION: Partial<Record<SpanRecord['kind'], string>> = { producer: 'publish', consumer: 'process' };

function messagingOperation(a: Attributes, kind: SpanRecord['kind']): string | undefined {
  const operation = str(a, 'messaging.operation.name', 'messaging.operation.type', 'messaging.operation') ?? (str(a, 'messaging.system') ? KIND_OPERATION[kind] : undefined);
  const destination = str(a, 'messaging.destination.name', 'messaging.destination', 'messaging.rabbitmq.destination.routing_key', 'messaging.rabbitmq.routing_key');
  if (!operation && !destination) return undefined;
  return [operation, destination].filter(Boolean).join(' ');
}

export const isDatabase = (a: Attributes): boolean => str(a, 'db.system.name', 'db.system') !== undefined;

/** Messaging settle operations: the ack of a message already received, not a call. */
const SETTLE = /^(?:settle|ack|nack|reject|acknowledge)$/i;

/**
 * Connection-pool checkouts, connects and acks: a database span with neither
 * a query nor an operation whose name says it takes a connection (a client
 * does not talk to the database to take one from its pool: `pg-pool.connect`),
 * a messaging settle, a DNS lookup or socket connect. Part of the call they
 * serve, never a call of their own.
 */
export function isPlumbingSpan(span: Pick<SpanRecord, 'name' | 'attributes'>): boolean {
  const a = span.attributes;
  const name = span.name.slice(0, 64);
  if (isDatabase(a)) return str(a, 'db.query.text', 'db.statement', 'db.operation.name', 'db.operation') === undefined && CONNECTION_WORDS.test(name);
  const settle = str(a, 'messaging.operation.type', 'messaging.operation');
  if (settle !== undefined && SETTLE.test(settle)) return true;
  return PLUMBING_NAMES.test(name);
}

/** Names of spans that take a connection: `pg-pool.connect`, `mysql.getConnection`, `pool.acquire`. */
const CONNECTION_WORDS = /(?:^|[.\s_-])(?:connect|getConnection|acquire|checkout|pool)(?:$|[.\s_-])/i;
const PLUMBING_NAMES = /^(?:dns\.lookup|tcp\.connect|tls\.connect|ipc\.connect|pg-pool\.connect|pg\.connect|mysql\.getConnection|[a-z-]+\.acquire)$/;

/** Who is called, by what it is: the user's `peer.service`, else the broker or database system, else the address. */
export function peerName(a: Attributes): string | undefined {
  return str(a, 'peer.service', 'messaging.system', 'db.system.name', 'db.system', 'server.address', 'net.peer.name', 'rpc.service');
}

/** The address a call went to, `host:port`, as a detail beside the peer's name. */
export function peerAddress(a: Attributes): string | undefined {
  const host = str(a, 'server.address', 'net.peer.name', 'network.peer.address', 'net.peer.ip');
  if (!host) return undefined;
  const port = str(a, 'server.port', 'net.peer.port', 'network.peer.port');
  return port ? `${host}:${port}` : host;
}

function pathOf(target: string | undefined): string | undefined {
  if (!target) return undefined;
  const scheme = target.indexOf('://');
  let path = target;
  if (scheme >= 0) {
    const slash = target.indexOf('/', scheme + 3);
    path = slash < 0 ? '/' : target.slice(slash);
  }
  const end = path.search(/[?#]/);
  return end < 0 ? path : path.slice(0, end);
}

/** Ids in paths become `{id}`: numbers, UUIDs, long hex or mixed tokens. `/orders/42/items` → `/orders/{id}/items`. */
export function normalisePath(path: string): string {
  const end = path.search(/[?#]/);
  const bare = (end < 0 ? path : path.slice(0, end)).slice(0, 2 * MAX_OPERATION);
  return bare.split('/').map((segment) => (isId(segment) ? '{id}' : segment)).join('/') || '/';
}

function isId(segment: string): boolean {
  if (segment === '') return false;
  if (/^\d+$/.test(segment)) return true;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment)) return true;
  if (segment.length >= 8 && /^[0-9a-f]+$/i.test(segment) && /\d/.test(segment)) return true;
  // Long tokens mixing letters and digits (base64 ids, slugs with numbers).
  return segment.length >= 16 && /\d/.test(segment) && /^[A-Za-z0-9_-]+$/.test(segment);
}

const QUERY_KEYWORD = /^\s*(?:\/\*[^*]{0,200}\*\/\s*)?([A-Za-z]+)/;
const TABLE = /\b(?:from|into|update|join|table)\s+["`[]?([A-Za-z_][\w.$]{0,62})/i;

/** `SELECT … FROM items …` → SELECT, items; `get cart:7` → GET. Bounded, linear. */
export function parseQuery(query: string): { operation: string; collection?: string } | undefined {
  const text = query.slice(0, QUERY_PREFIX);
  const keyword = QUERY_KEYWORD.exec(text)?.[1];
  if (!keyword) return undefined;
  const table = TABLE.exec(text)?.[1];
  return table ? { operation: keyword.toUpperCase(), collection: table } : { operation: keyword.toUpperCase() };
}

function clip(text: string): string {
  return text.length <= MAX_OPERATION ? text : `${text.slice(0, MAX_OPERATION - 1)}…`;
}
