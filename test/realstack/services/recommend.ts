/** recommend: a flaky peer, a bare node:http server whose GET /recommend always answers 500. */
import { createServer } from 'node:http';
import { RECOMMEND_MS } from '../plan';
import { fatal, listen, ready, sleep } from './lib';

const server = createServer(async (_req, res) => {
  await sleep(RECOMMEND_MS);
  res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"model not loaded"}');
});

listen(server).then(ready, fatal);
