/**
 * The ingest worker (dist/worker.js) whose address a test can take away: while
 * the file named by HOPSCOPE_TEST_UNBINDABLE holds a number above 0, each start
 * takes one from it and binds to 192.0.2.1 (TEST-NET-1, on no interface here)
 * instead, so that its bind really fails with EADDRNOTAVAIL, exactly as many
 * times as the test wrote. Plain CommonJS: `hopscope serve` loads it too.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { resolve } = require('node:path');
const { workerData } = require('node:worker_threads');

const file = process.env.HOPSCOPE_TEST_UNBINDABLE;
if (file) {
  const left = Number(readFileSync(file, 'utf8'));
  if (left > 0) {
    writeFileSync(file, String(left - 1));
    workerData.config.host = '192.0.2.1';
  }
}
require(resolve(__dirname, '../../dist/worker.js'));
