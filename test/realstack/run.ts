/**
 * One run of the scenarios against a started stack, shared by the live test
 * and the fixture recorder: a warm-up order per scenario (not kept: first
 * connections, pool fills, JIT), then `perScenario` orders of each scenario,
 * one at a time, and each scenario's traces settled in Hopscope before the
 * next scenario starts (so that export requests rarely mix scenarios).
 */
import { analyzeTrace } from '../../src/analysis/analyze-trace';
import type { SpanRecord } from '../../src/model/span';
import type { TraceCase } from './expectations';
import { SCENARIOS, type Scenario } from './plan';
import type { OrderReply, Stack } from './stack';
import { truthOf } from './truth';

export interface ScenarioRun {
  scenario: Scenario;
  orders: OrderReply[];
  cases: TraceCase[];
}

export function caseOf(scenario: Scenario, traceId: string, spans: SpanRecord[], truth = truthOf(scenario)): TraceCase {
  const analysis = analyzeTrace(spans);
  if (!analysis) throw new Error(`trace ${traceId} (${scenario}) has no spans`);
  return { scenario, traceId, spans, analysis, truth };
}

export async function runScenarios(stack: Stack, perScenario: number, log: (line: string) => void = () => undefined): Promise<ScenarioRun[]> {
  const warmups: OrderReply[] = [];
  for (const scenario of SCENARIOS) warmups.push(await stack.order(scenario));
  await Promise.all(warmups.map((w) => stack.settledTrace(w.traceId, w.scenario)));
  log(`warm-up: ${warmups.map((w) => `${w.scenario} ${w.status} in ${w.ms} ms`).join(', ')}`);

  const runs: ScenarioRun[] = [];
  for (const scenario of SCENARIOS) {
    const orders: OrderReply[] = [];
    const truth = truthOf(scenario);
    for (let i = 0; i < perScenario; i++) {
      const order = await stack.order(scenario);
      // A different answer means the services did not do what the truth says (a slow machine, a broken
      // service): checking the analysis against the truth would then be meaningless.
      if (order.status !== truth.status) throw new Error(`a ${scenario} order answered ${order.status}, not ${truth.status}: ${order.body} (trace ${order.traceId})\n${stack.logs()}`);
      orders.push(order);
    }
    const cases: TraceCase[] = [];
    for (const order of orders) {
      let spans: SpanRecord[];
      try {
        spans = await stack.settledTrace(order.traceId, scenario);
      } catch (error) {
        throw new Error(`${scenario} order answered ${order.status} in ${order.ms} ms: ${order.body}\n${error instanceof Error ? error.message : String(error)}`);
      }
      cases.push(caseOf(scenario, order.traceId, spans, truth));
    }
    log(`${scenario}: ${orders.map((o) => `${o.status} in ${o.ms} ms (${o.traceId})`).join(', ')}`);
    runs.push({ scenario, orders, cases });
  }
  return runs;
}
