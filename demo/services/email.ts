/**
 * email: sends the confirmation (~500 ms), either when orders calls it
 * (`POST /send`, sync mode) or for each `order.created` event (events mode).
 * Switches: slow (3 s), down (503), fail (500).
 */
import '../telemetry'; // first, so that node:http is patched before anything uses it
import { serviceUrl } from '../lib/client';
import { atShutdown } from '../lib/lifecycle';
import { consume } from '../lib/messaging';
import { orderAttributes } from '../lib/order';
import { startService } from '../lib/server';
import { work } from '../lib/work';

// Awaited here (not just returned), so that a failure's stack trace names this line (as an `async` frame) below lib/work.ts.
const sendEmail = async (order: unknown): Promise<void> => {
  await work({ span: 'send confirmation email', ms: 500, slowMs: 3_000, failure: 'mail server refused the message (demo switch email=fail)', attributes: orderAttributes(order) });
};

startService('email', {
  'POST /send': async (order) => {
    await sendEmail(order);
    return { status: 200, body: { sent: true } };
  },
});
atShutdown(consume(serviceUrl('queue'), 'order.created', 'email', sendEmail));
