/**
 * `hopscope.debug.*` and `hopscope.terminal.*`: what Hopscope adds to the
 * processes VS Code launches (launch-environment.ts). Defaults are package.json's.
 */
import { SettingsReader, type Read, type SettingGetter } from './settings-reader';

export interface LaunchSettings {
  /** `hopscope.debug.environment`: debug sessions get the OTLP environment and their session's tag. */
  debugEnvironment: boolean;
  /** `hopscope.debug.instrumentNode`. */
  debugInstrumentNode: 'auto' | 'off';
  /** `hopscope.terminal.environment`: new terminals and tasks get the OTLP environment. */
  terminalEnvironment: boolean;
  /** `hopscope.terminal.instrumentNode`: …and NODE_OPTIONS with the register module. */
  terminalInstrumentNode: boolean;
}

export function readLaunchSettings(get: SettingGetter): Read<LaunchSettings> {
  const read = new SettingsReader(get);
  const value: LaunchSettings = {
    debugEnvironment: read.boolean('debug.environment'),
    debugInstrumentNode: read.string('debug.instrumentNode', '"auto" or "off"') as 'auto' | 'off',
    terminalEnvironment: read.boolean('terminal.environment'),
    terminalInstrumentNode: read.boolean('terminal.instrumentNode'),
  };
  return { value, problems: read.problems };
}
