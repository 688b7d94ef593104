/**
 * orders: takes an order. Charges it (payments) and reserves it (inventory),
 * then, by the order's mode:
 *   sync    calls email and then analytics and waits for both, the anti-pattern:
 *           the customer waits for an email to be sent, and fails if it fails;
 *   events  publishes `order.created` and answers; email and analytics consume it.
 * Gives up on payments after 300 ms (switch paymentsTimeoutMs).
 */
import '../telemetry'; // first, so that node:http is patched before anything uses it
import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { serviceUrl } from '../lib/client';
import { publish } from '../lib/messaging';
import { orderAttributes, type Order } from '../lib/order';
import { peerCaller } from '../lib/peers';
import { HttpFailure, startService } from '../lib/server';
import { switches } from '../lib/switches';

const peers = {
  payments: serviceUrl('payments'),
  inventory: serviceUrl('inventory'),
  email: serviceUrl('email'),
  analytics: serviceUrl('analytics'),
};
const queue = serviceUrl('queue');

/** Calls a peer; any failure becomes this service's own 502, or 504 for a timeout. */
const call = peerCaller(peers);

startService('orders', {
  'POST /orders': async (body) => {
    const mode = body.mode ?? 'events';
    if (mode !== 'sync' && mode !== 'events') return { status: 400, body: { error: 'mode must be "sync" or "events"' } };
    const items = typeof body.items === 'number' && body.items > 0 ? Math.floor(body.items) : 1;
    const order: Order = { orderId: randomUUID().slice(0, 8), items, mode };
    trace.getActiveSpan()?.setAttributes({ ...orderAttributes(order), 'order.mode': mode });

    await call('payments', '/charge', order, switches().paymentsTimeoutMs ?? 300);
    await call('inventory', '/reserve', order);
    if (mode === 'sync') {
      await call('email', '/send', order);
      await call('analytics', '/track', order);
    } else {
      try {
        await publish(queue, 'order.created', order);
      } catch (error) {
        throw new HttpFailure(502, `could not publish order.created: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return { status: 201, body: { ...order, status: 'created' } };
  },
});
