/** inventory: reserves the stock (~20 ms). */
import '../telemetry'; // first, so that node:http is patched before anything uses it
import { startService } from '../lib/server';
import { work } from '../lib/work';
import { orderAttributes } from '../lib/order';

startService('inventory', {
  'POST /reserve': async (order) => {
    await work({ span: 'reserve stock', ms: 20, slowMs: 1_000, failure: 'out of stock (demo switch inventory=fail)', attributes: orderAttributes(order) });
    return { status: 200, body: { reserved: true } };
  },
});
