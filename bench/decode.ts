/** Decode speed, spans/s: ours beside protobufjs (decode alone, and decode + toObject), and JSON beside JSON.parse. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bodyText } from '../src/ingest/body-text';
import { decodeTracesJson } from '../src/wire/otlp-json-traces';
import { decodeTracesJsonFast } from '../src/wire/otlp-json-fast';
import { decodeTracesProto } from '../src/wire/otlp-proto-traces';
import { pbjsDecode, pbjsDecodeToObject, spanCount } from './otlp-protobufjs';
import { throughputs } from './measure';

const dir = process.argv[2]!;
const load = (ext: string) => readdirSync(dir).filter((f) => f.endsWith(ext)).slice(0, 8).map((f) => readFileSync(join(dir, f)));
const protobuf = load('.pb');
const json = load('.json');
const count = new Map<Buffer, number>([...protobuf.map((b) => [b, decodeTracesProto(b).spans.length] as const), ...json.map((b) => [b, decodeTracesJson(b.toString('utf8')).spans.length] as const)]);
for (const body of protobuf) if (spanCount(pbjsDecode(body)) !== count.get(body)) throw new Error('protobufjs read a different number of spans');
const per = (b: Buffer) => count.get(b)!;

const [ours, pbjsDecodeRate, pbjsToObject] = throughputs(protobuf, per, [decodeTracesProto, pbjsDecode, pbjsDecodeToObject]);
const [oursJson, jsonParse] = throughputs(json, per, [(b) => decodeTracesJsonFast(b) ?? decodeTracesJson(bodyText(b)), (b): unknown => JSON.parse(bodyText(b))]);
const results = {
  ours, pbjsDecode: pbjsDecodeRate, pbjsToObject, oursJson, jsonParse,
  bytesPerSpanProtobuf: Math.round(protobuf.reduce((n, b) => n + b.length, 0) / protobuf.reduce((n, b) => n + per(b), 0)),
  bytesPerSpanJson: Math.round(json.reduce((n, b) => n + b.length, 0) / json.reduce((n, b) => n + per(b), 0)),
};
process.stdout.write(JSON.stringify(results));
