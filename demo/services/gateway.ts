/** gateway: the public entry point; passes `POST /orders` on to orders. */
import '../telemetry'; // first, so that node:http is patched before anything uses it
import { callJson, errorText, serviceUrl } from '../lib/client';
import { startService } from '../lib/server';

const orders = serviceUrl('orders');

startService('gateway', {
  'POST /orders': async (body) => {
    let reply;
    try {
      reply = await callJson(`${orders}/orders`, { peer: 'orders', body, timeoutMs: 15_000 });
    } catch (error) {
      return { status: 502, body: { error: `orders is unreachable: ${error instanceof Error ? error.message : String(error)}` } };
    }
    if (reply.status >= 500) return { status: 502, body: { error: `orders answered ${reply.status}: ${errorText(reply)}` } };
    return { status: reply.status, body: (reply.body ?? {}) as Record<string, unknown> };
  },
});
