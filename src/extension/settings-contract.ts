/**
 * The `hopscope.*` settings as package.json's `contributes.configuration`
 * declares them: the one place where each setting's type, default, bounds and
 * description are written. The readers take defaults and bounds from here, so
 * the Settings editor and the code cannot disagree. esbuild bundles only the
 * `contributes` object, not the rest of package.json.
 */
import { contributes } from '../../package.json';

type Contributed = keyof typeof contributes.configuration.properties;

/** A contributed setting's key without `hopscope.`, as `getConfiguration('hopscope').get` takes it. */
export type SettingKey = Contributed extends `hopscope.${infer Key}` ? Key : never;

/** What package.json says about one setting (the fields the readers use). */
export interface Contribution {
  type: 'boolean' | 'string' | 'integer' | 'number' | 'array' | 'object';
  default: unknown;
  minimum?: number;
  maximum?: number;
  enum?: readonly unknown[];
}

const PREFIX = 'hopscope.';
const properties = contributes.configuration.properties as Record<string, Contribution>;

/** Every contributed setting, in package.json's order. */
export const CONTRIBUTED_KEYS: readonly SettingKey[] = Object.keys(properties).map((key) => key.slice(PREFIX.length) as SettingKey);

export function contribution(key: SettingKey): Contribution {
  const found = properties[PREFIX + key];
  if (!found) throw new Error(`hopscope.${key} is not contributed in package.json`);
  return found;
}
