/**
 * What a change of `hopscope.*` settings calls for. The first that applies
 * wins: a receiver restart reads every receiver setting again anyway.
 *
 *   receiver.* · store.*   restart the receiver with the new settings
 *   pathMappings           find the spans' code again
 *   sourceLines.*          warn about bad values, draw the lines again
 *   sourceLines.skipFrames …and find the spans' code again, in the worker too
 *   analysis.*             analyse the traces again
 *   debug.* · terminal.*   what launched processes get (the terminals' environment now, debug sessions from the next)
 */
export type SettingsChange = 'receiver' | 'pathMappings' | 'sourceLines' | 'skipFrames' | 'analysis' | 'launches';

const ROUTES: readonly (readonly [change: SettingsChange, sections: readonly string[]])[] = [
  ['receiver', ['hopscope.receiver', 'hopscope.store']],
  ['pathMappings', ['hopscope.pathMappings']],
  ['skipFrames', ['hopscope.sourceLines.skipFrames']],
  ['sourceLines', ['hopscope.sourceLines']],
  ['analysis', ['hopscope.analysis']],
  ['launches', ['hopscope.debug', 'hopscope.terminal']],
];

/** `affects` is `ConfigurationChangeEvent.affectsConfiguration`. */
export function settingsChange(affects: (section: string) => boolean): SettingsChange | undefined {
  return ROUTES.find(([, sections]) => sections.some(affects))?.[0];
}
