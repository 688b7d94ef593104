/**
 * Failure switches of one service: set at start from DEMO_SWITCHES (JSON), and
 * changeable at run time with `POST /_demo/switches` (same JSON, merged).
 *   behaviour        ok | fail (answers 500) | slow (takes slowMs) | down (answers 503 at once)
 *   slowMs           how long "slow" work takes
 *   paymentsTimeoutMs  orders only: how long it waits for payments
 */
export const BEHAVIOURS = ['ok', 'fail', 'slow', 'down'] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

export interface Switches {
  behaviour: Behaviour;
  slowMs?: number;
  paymentsTimeoutMs?: number;
}

const current: Switches = { behaviour: 'ok' };

export function switches(): Readonly<Switches> {
  return current;
}

/** Merges `input` into the switches; throws (changing nothing) if any value is invalid. */
export function updateSwitches(input: unknown): Switches {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error('switches must be a JSON object');
  const next: Switches = { ...current };
  for (const [key, value] of Object.entries(input)) {
    if (key === 'behaviour') {
      if (!BEHAVIOURS.includes(value as Behaviour)) throw new Error(`behaviour must be one of ${BEHAVIOURS.join(', ')}`);
      next.behaviour = value as Behaviour;
    } else if (key === 'slowMs' || key === 'paymentsTimeoutMs') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`${key} must be a non-negative number`);
      next[key] = value;
    } else {
      throw new Error(`unknown switch ${JSON.stringify(key)}`);
    }
  }
  return Object.assign(current, next);
}

updateSwitches(JSON.parse(process.env.DEMO_SWITCHES || '{}'));
