/**
 * analytics: records the order (~50 ms), either when orders calls it
 * (`POST /track`, sync mode) or for each `order.created` event (events mode).
 */
import '../telemetry'; // first, so that node:http is patched before anything uses it
import { serviceUrl } from '../lib/client';
import { atShutdown } from '../lib/lifecycle';
import { consume } from '../lib/messaging';
import { orderAttributes } from '../lib/order';
import { startService } from '../lib/server';
import { work } from '../lib/work';

// Awaited here (not just returned), so that a failure's stack trace names this line (as an `async` frame) below lib/work.ts.
const trackOrder = async (order: unknown): Promise<void> => {
  await work({ span: 'track order', ms: 50, slowMs: 2_000, failure: 'analytics store rejected the event (demo switch analytics=fail)', attributes: orderAttributes(order) });
};

startService('analytics', {
  'POST /track': async (order) => {
    await trackOrder(order);
    return { status: 200, body: { tracked: true } };
  },
});
atShutdown(consume(serviceUrl('queue'), 'order.created', 'analytics', trackOrder));
