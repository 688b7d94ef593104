// The load generator, run as its own process: sends pre-encoded OTLP requests
// with keep-alive and several in flight, for a fixed time, and prints what was
// accepted. Usage: node bench/loadgen.mjs <http-protobuf|http-json|grpc> <port> <payload-dir> [seconds] [in-flight]
import { readFileSync, readdirSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import grpc from '@grpc/grpc-js';

const [mode, port, dir, seconds = '5', inFlight = '8'] = process.argv.slice(2);
const ext = mode === 'http-json' ? '.json' : '.pb';
const bodies = readdirSync(dir).filter((f) => f.endsWith(ext)).sort().map((f) => readFileSync(join(dir, f)));
const spansPer = Number(readFileSync(join(dir, 'spans-per-request'), 'utf8'));
const until = Date.now() + Number(seconds) * 1000;
let ok = 0;
let refused = 0;
let next = 0;

const agent = new Agent({ keepAlive: true, maxSockets: Number(inFlight) });
const type = mode === 'http-json' ? 'application/json' : 'application/x-protobuf';
// gRPC: one channel (one HTTP/2 connection) per sender, as several services each exporting would use.
const clients = mode === 'grpc'
  ? Array.from({ length: Number(inFlight) }, (_, i) => new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { 'grpc.max_send_message_length': 64 << 20, 'grpc.channel_id': i }))
  : [];
const identity = (b) => b;

function sendHttp(body) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/traces', agent, headers: { 'content-type': type, 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.end(body);
  });
}

function sendGrpc(body, sender) {
  return new Promise((resolve) => {
    clients[sender].makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', identity, identity, body, (error) => resolve(!error));
  });
}

const send = mode === 'grpc' ? sendGrpc : sendHttp;
const started = Date.now();
await Promise.all(Array.from({ length: Number(inFlight) }, async (_, sender) => {
  while (Date.now() < until) {
    if (await send(bodies[next++ % bodies.length], sender)) ok++;
    else refused++;
  }
}));
const elapsed = (Date.now() - started) / 1000;
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ spansPerSecond: Math.round((ok * spansPer) / elapsed), accepted: ok, refused, loadgenCpu: Math.round(((cpu.user + cpu.system) / 1e6 / elapsed) * 100) }));
agent.destroy();
for (const client of clients) client.close();
