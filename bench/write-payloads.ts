/** Writes the bench's request bodies (protobuf and JSON) into a folder. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SPANS_PER_REQUEST, makePayloads } from './payload';

const [dir, count = '24'] = process.argv.slice(2);
void (async () => {
  mkdirSync(dir!, { recursive: true });
  const payloads = await makePayloads(Number(count));
  payloads.protobuf.forEach((body, i) => writeFileSync(join(dir!, `${String(i).padStart(3, '0')}.pb`), body));
  payloads.json.forEach((body, i) => writeFileSync(join(dir!, `${String(i).padStart(3, '0')}.json`), body));
  writeFileSync(join(dir!, 'spans-per-request'), String(SPANS_PER_REQUEST));
})();
