/**
 * Two windows' receiver controllers on one port, as the store views' tests
 * use them: the first runs the ingest worker, the second follows it. Both are
 * disposed after the suite.
 *
 *   const windows = useWindowPair();            // in the describe
 *   const { first, second, startFirst, follow } = await windows();
 *   await startFirst();  …  await follow();     // second now shows first's traces
 */
import { after } from 'node:test';
import { DEFAULT_INGEST_CONFIG } from '../../src/ingest/ingest-config';
import { ReceiverController } from '../../src/ingest/receiver-controller';
import { eventually, freePort } from './free-port';

const OPTIONS = { version: '0.0.0', workerPath: 'dist/worker.js', takeoverDelaysMs: [50, 100, 200] };
const settings = (httpPort: number) => ({ enabled: true, config: { ...DEFAULT_INGEST_CONFIG, httpPort, grpcEnabled: false, settleMs: 200 } });

export interface WindowPair {
  httpPort: number;
  first: ReceiverController;
  second: ReceiverController;
  /** The first window starts its receiver on the pair's port. */
  startFirst: () => Promise<void>;
  /** The second window starts and finds the first holding the port: it follows. */
  follow: () => Promise<void>;
}

export function useWindowPair(): () => Promise<WindowPair> {
  const controllers: ReceiverController[] = [];
  after(async () => {
    for (const c of controllers.reverse()) await c.dispose();
  });
  return async () => {
    const httpPort = await freePort();
    const first = new ReceiverController({ ...OPTIONS, runner: 'first window' });
    const second = new ReceiverController({ ...OPTIONS, runner: 'second window' });
    controllers.push(first, second);
    return {
      httpPort, first, second,
      startFirst: () => first.start(settings(httpPort)),
      follow: async () => {
        await second.start(settings(httpPort));
        await eventually(() => (second.state.kind === 'following' ? true : undefined));
      },
    };
  };
}
