/**
 * How a service calls its peers: a JSON call whose failures become the
 * service's own 502 (or 504 for a timeout). The call-site processor skips this
 * file (see telemetry.ts), so a call is shown on the service's line that made it.
 *
 *   const call = peerCaller({ email: serviceUrl('email') });
 *   await call('email', '/send', order);
 */
import { callJson, errorText, TimeoutError } from './client';
import { HttpFailure } from './server';

export function peerCaller<Peer extends string>(peers: Record<Peer, string>) {
  return async (peer: Peer, path: string, body: unknown, timeoutMs?: number): Promise<void> => {
    let reply;
    try {
      reply = await callJson(peers[peer] + path, { peer, body, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    } catch (error) {
      if (error instanceof TimeoutError) throw new HttpFailure(504, `gave up on ${peer}: ${error.message}`);
      throw new HttpFailure(502, `${peer} is unreachable: ${String(error)}`);
    }
    if (reply.status >= 300) throw new HttpFailure(502, `${peer} answered ${reply.status}: ${errorText(reply)}`);
  };
}
