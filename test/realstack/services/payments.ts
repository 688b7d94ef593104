/**
 * payments: express 5. POST /charge inserts the charge in PostgreSQL with the
 * card processor's time as a pg_sleep in the same statement (80 ms; 1.5 s in
 * the timeout scenario, long after shop gave up), or answers 500 (failure).
 */
import express from 'express';
import http from 'node:http';
import pg from 'pg';
import { CHARGE_FAIL_MS, CHARGE_MS, SLOW_CHARGE_MS, SWITCHES, isScenario } from '../plan';
import { env, fatal, listen, ready, sleep } from './lib';

const pool = new pg.Pool({ host: '127.0.0.1', port: Number(env('PG_PORT')), user: 'postgres', database: 'shop', max: 4 });

const app = express();
app.use(express.json());
app.post('/charge', async (req, res) => {
  const scenario = req.get('x-scenario');
  const behaviour = isScenario(scenario) ? SWITCHES[scenario].payments : 'ok';
  const { orderId, amountCents } = req.body as { orderId: string; amountCents: number };
  if (behaviour === 'fail') {
    await sleep(CHARGE_FAIL_MS);
    res.status(500).json({ error: 'card declined' });
    return;
  }
  const seconds = (behaviour === 'slow' ? SLOW_CHARGE_MS : CHARGE_MS) / 1000;
  const { rows } = await pool.query('INSERT INTO charges (order_id, amount_cents) SELECT $1, $2 FROM pg_sleep($3) RETURNING id', [orderId, amountCents, seconds]);
  res.status(200).json({ chargeId: rows[0].id });
});

pool.query('SELECT 1').then(() => listen(http.createServer(app))).then(ready, fatal);
