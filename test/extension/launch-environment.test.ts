/** What a launched process gets: the OTLP environment and its session's tag, never over what the user set. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { launchEnvironment, serviceName, type LaunchEnvironmentInput } from '../../src/extension/launch-environment';
import { readLaunchSettings } from '../../src/extension/launch-settings';

const INSTRUMENT = '/opt/hopscope ext/dist/instrument.js';
const input = (over: Partial<LaunchEnvironmentInput> = {}): LaunchEnvironmentInput => ({
  configured: {},
  inherited: {},
  ports: { host: '127.0.0.1', httpPort: 43180, grpcPort: 43170 },
  name: 'payments',
  debugType: 'pwa-node',
  session: '0123456789abcdef',
  instrumentNode: 'auto',
  instrumentPath: INSTRUMENT,
  ...over,
});

describe('the environment of a launched process', () => {
  it('points a Node session at the receiver, names the service, tags the session and loads the register module', () => {
    const { set, notes } = launchEnvironment(input());
    assert.deepEqual(set, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:43180',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_SERVICE_NAME: 'payments',
      OTEL_RESOURCE_ATTRIBUTES: 'hopscope.debug.session=0123456789abcdef',
      NODE_OPTIONS: `--import=${pathToFileURL(INSTRUMENT).href}`,
    });
    // A path with a space survives NODE_OPTIONS' splitting on spaces: the URL encodes it.
    assert.ok(!set.NODE_OPTIONS.slice('--import='.length).includes(' '));
    assert.deepEqual(notes, []);
  });

  it('keeps what the configuration or the editor\'s environment already set, and appends to the attributes', () => {
    const { set, notes } = launchEnvironment(
      input({ configured: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=dev,' }, inherited: { OTEL_SERVICE_NAME: 'billing', NODE_OPTIONS: '--max-old-space-size=4096' } }),
    );
    assert.equal(set.OTEL_EXPORTER_OTLP_ENDPOINT, undefined);
    assert.equal(set.OTEL_EXPORTER_OTLP_PROTOCOL, undefined);
    assert.equal(set.OTEL_SERVICE_NAME, undefined);
    assert.equal(set.OTEL_RESOURCE_ATTRIBUTES, 'deployment.environment=dev,hopscope.debug.session=0123456789abcdef');
    assert.equal(set.NODE_OPTIONS, `--max-old-space-size=4096 --import=${pathToFileURL(INSTRUMENT).href}`);
    assert.deepEqual(notes, ['kept the OTLP endpoint it sets (http://collector:4318)']);
  });

  it('takes a service.name in the resource attributes as the service\'s name', () => {
    assert.equal(launchEnvironment(input({ configured: { OTEL_RESOURCE_ATTRIBUTES: 'service.name=cart' } })).set.OTEL_SERVICE_NAME, undefined);
  });

  it('a variable the configuration unsets (null) counts as not set', () => {
    assert.equal(launchEnvironment(input({ configured: { OTEL_SERVICE_NAME: null }, inherited: { OTEL_SERVICE_NAME: 'editor' } })).set.OTEL_SERVICE_NAME, 'payments');
  });

  it('sends to the gRPC port when the app asks for gRPC, and says so when gRPC is off', () => {
    assert.equal(launchEnvironment(input({ configured: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } })).set.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:43170');
    const off = launchEnvironment(input({ configured: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, ports: { host: '127.0.0.1', httpPort: 43180, grpcPort: undefined } }));
    assert.equal(off.set.OTEL_EXPORTER_OTLP_ENDPOINT, undefined);
    assert.match(off.notes[0]!, /gRPC, which this receiver has off/);
  });

  it('does not load the register module where a tracer is already preloaded, or when it is off, or into other languages', () => {
    const preloaded = launchEnvironment(input({ configured: { NODE_OPTIONS: '--require @opentelemetry/auto-instrumentations-node/register' } }));
    assert.equal(preloaded.set.NODE_OPTIONS, undefined);
    assert.match(preloaded.notes[0]!, /already loads a tracer/);
    const off = launchEnvironment(input({ instrumentNode: 'off' }));
    assert.equal(off.set.NODE_OPTIONS, undefined);
    assert.match(off.notes[0]!, /instrumentNode is off/);
    const missing = launchEnvironment(input({ instrumentNode: 'missing' }));
    assert.equal(missing.set.NODE_OPTIONS, undefined);
    assert.match(missing.notes[0]!, /register module is not in this install/);
    const python = launchEnvironment(input({ debugType: 'debugpy' }));
    assert.equal(python.set.NODE_OPTIONS, undefined);
    assert.equal(python.set.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:43180');
  });

  it('sends to loopback when the receiver binds every interface, and brackets an IPv6 host', () => {
    assert.equal(launchEnvironment(input({ ports: { host: '0.0.0.0', httpPort: 4318, grpcPort: 4317 } })).set.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://127.0.0.1:4318');
    assert.equal(launchEnvironment(input({ ports: { host: '::1', httpPort: 4318, grpcPort: 4317 } })).set.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://[::1]:4318');
  });

  it('names a service after its launch configuration', () => {
    assert.deepEqual(['payments', 'Launch Orders', 'Debug api gateway', 'Launch Program', '   ', 'Ünïcode svc'].map(serviceName), ['payments', 'orders', 'api-gateway', 'program', 'unknown_service', 'n-code-svc']);
  });
});

describe('the launch settings', () => {
  it('default to the environment everywhere and the register module only in debug sessions', () => {
    assert.deepEqual(readLaunchSettings(() => undefined), { value: { debugEnvironment: true, debugInstrumentNode: 'auto', terminalEnvironment: true, terminalInstrumentNode: false }, problems: [] });
  });

  it('name a bad value and use the default', () => {
    const { value, problems } = readLaunchSettings((key) => ({ 'debug.instrumentNode': 'always', 'terminal.environment': 'yes' })[key as string]);
    assert.equal(value.debugInstrumentNode, 'auto');
    assert.equal(value.terminalEnvironment, true);
    assert.equal(problems.length, 2);
    assert.match(problems[0]!, /^hopscope\.debug\.instrumentNode must be one of "auto", "off", not "always"; using auto\.$/);
  });
});
