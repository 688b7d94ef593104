/** payments: charges the card (~100 ms). Switches: fail (500), slow (2 s), down (503). */
import '../telemetry'; // first, so that node:http is patched before anything uses it
import { startService } from '../lib/server';
import { work } from '../lib/work';
import { orderAttributes } from '../lib/order';

startService('payments', {
  'POST /charge': async (order) => {
    await work({
      span: 'charge card',
      ms: 100,
      slowMs: 2_000,
      failure: 'card processor declined the charge (demo switch payments=fail)',
      attributes: orderAttributes(order),
    });
    return { status: 200, body: { charged: true } };
  },
});
