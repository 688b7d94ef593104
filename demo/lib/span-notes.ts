/**
 * What the service code tells the http instrumentation about spans it cannot
 * reach directly. Kept apart from telemetry.ts so that importing it never
 * starts an SDK (the queue and the launcher import helpers too).
 */
import type { Span } from '@opentelemetry/api';
import type { ClientRequest, ServerResponse } from 'node:http';

/** The client span the instrumentation opened for an outgoing request. */
export const clientSpans = new WeakMap<ClientRequest, Span>();

/** Why a response failed: the instrumentation sets a bare ERROR status when the
 * response ends, dropping any message set earlier, so it is re-applied then. */
export const failureMessages = new WeakMap<ServerResponse, string>();
