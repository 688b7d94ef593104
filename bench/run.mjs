// `npm run bench`: builds the bench (bundled, as the product ships), makes a
// realistic payload, and prints each figure beside its target and a peer
// measured in the same run.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';

const entries = ['write-payloads', 'decode', 'memory', 'end-to-end', 'peer-receiver', 'analysis'];
await esbuild.build({
  entryPoints: Object.fromEntries(entries.map((e) => [e, `bench/${e}.ts`])),
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', outdir: 'dist/bench', minify: false, logLevel: 'warning',
});

const node = (args, options = {}) => execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
const dir = mkdtempSync(join(tmpdir(), 'hopscope-bench-'));
try {
  console.log('Hopscope bench — making the payload with the OpenTelemetry SDK…');
  node(['dist/bench/write-payloads.js', dir, '24']);
  console.log('decoding…');
  const decode = JSON.parse(node(['dist/bench/decode.js', dir]));
  console.log('memory…');
  const memOurs = JSON.parse(node(['--expose-gc', 'dist/bench/memory.js', dir, 'ours']));
  const memPeer = JSON.parse(node(['--expose-gc', 'dist/bench/memory.js', dir, 'peer']));
  console.log('end to end over loopback (3 interleaved rounds of 5 s per receiver and protocol)…');
  const e2e = JSON.parse(node(['dist/bench/end-to-end.js', dir, 'dist/worker.js', '5']));
  console.log('analysis (one 10,000-span trace; 1,000 traces; hopscope analyze of a 50 MB file)…');
  const analysis = JSON.parse(node(['dist/bench/analysis.js', dir]));

  const k = (n) => `${Math.round(n / 1000).toLocaleString('en-US')}k`;
  const rows = [];
  const row = (figure, ours, target, pass, peer) => rows.push({ figure, ours, target, peer, result: pass ? 'PASS' : 'MISS' });
  console.log(`\npayload: HTTP client/server spans, 10 attributes, ${decode.bytesPerSpanProtobuf} B/span protobuf, ${decode.bytesPerSpanJson} B/span JSON, 520 spans/request\n`);
  row('decode protobuf, spans/s', k(decode.ours), '≥ 2× protobufjs decode', decode.ours >= 2 * decode.pbjsDecode,
    `protobufjs decode ${k(decode.pbjsDecode)} (×${(decode.ours / decode.pbjsDecode).toFixed(2)}); decode+toObject ${k(decode.pbjsToObject)}`);
  row('decode JSON, spans/s', k(decode.oursJson), '(no target)', true, `JSON.parse alone ${k(decode.jsonParse)}`);
  const e2eRow = (mode, label, target) => {
    const { ours, peer } = e2e[mode];
    row(`end-to-end ${label}, spans/s (median of ${e2e[mode].oursRuns.map(k).join(', ')})`, k(ours.spansPerSecond), `≥ ${k(target)}`, ours.spansPerSecond >= target,
      `protobufjs/JSON.parse receiver ${k(peer.spansPerSecond)}${ours.refused ? `; ours refused ${ours.refused}` : ''}`);
  };
  e2eRow('http-protobuf', 'OTLP/HTTP protobuf', 250_000);
  e2eRow('http-json', 'OTLP/HTTP JSON', 120_000);
  e2eRow('grpc', 'OTLP/gRPC', 150_000);
  row('retained memory per stored span at 200k, bytes', String(memOurs.bytesPerSpan), '≤ 800', memOurs.bytesPerSpan <= 800, `protobufjs toObject ${memPeer.bytesPerSpan}`);
  const p99 = e2e['http-protobuf'].ours.hostDelayP99Ms;
  row('host event-loop delay p99 while ingesting, ms', p99.toFixed(1), '≤ 10', p99 <= 10, `receiver on the host thread ${e2e.hostDelayWithReceiverOnHostThreadMs.toFixed(1)}`);
  const ms = (n) => `${n.toFixed(1)} ms`;
  row(`analysis of one ${analysis.traceSpans.toLocaleString('en-US')}-span trace`, ms(analysis.analysisMs), '≤ 30 ms', analysis.analysisMs <= 30, `JSON copy of its spans ${ms(analysis.copyMs)}`);
  row(`aggregate over ${analysis.aggregateSpans.toLocaleString('en-US')} spans in 1,000 traces (trees included)`, ms(analysis.aggregateMs), '≤ 500 ms', analysis.aggregateMs <= 500, `JSON copy of the spans ${ms(analysis.aggregateCopyMs)}`);
  const mbps = (msTaken) => `${(analysis.fileMB / (msTaken / 1000)).toFixed(0)} MB/s`;
  row(`hopscope analyze --json, ${analysis.fileMB.toFixed(0)} MB OTLP JSON (whole process)`, `${ms(analysis.cliMs)} (${mbps(analysis.cliMs)})`, '(no target)', true, `node JSON.parse of the file ${ms(analysis.jsonParseMs)} (${mbps(analysis.jsonParseMs)})`);
  console.table(rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
