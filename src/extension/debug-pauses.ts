/**
 * Hands every debug session Hopscope launched a PauseRecorder (pause-recorder.ts) fed with the session's
 * Debug Adapter Protocol messages.
 */
import * as vscode from 'vscode';
import type { Disposable } from '../common/emitter';
import type { DebugPause } from '../model/pause';
import { SESSION_PROPERTY } from './launches';
import { PauseRecorder, type DapMessage } from './pause-recorder';

/** The Hopscope session id and service name of a debug session: its own, or the launch it is a child of (js-debug starts one per process). */
function launchOf(session: vscode.DebugSession): { id: string; name: string } | undefined {
  for (let s: vscode.DebugSession | undefined = session; s; s = s.parentSession) {
    const id = s.configuration[SESSION_PROPERTY] as unknown;
    // Named as its spans are: the service name the launch was given (launch-environment.ts), else the configuration's.
    const service = (s.configuration.env as Record<string, unknown> | undefined)?.OTEL_SERVICE_NAME;
    if (typeof id === 'string') return { id, name: typeof service === 'string' && service !== '' ? service : s.configuration.name };
  }
  return undefined;
}

/** Tracks every debug session Hopscope launched; `send` takes each pause as it changes. */
export function trackPauses(send: (pause: DebugPause) => void): Disposable {
  return vscode.debug.registerDebugAdapterTrackerFactory('*', {
    createDebugAdapterTracker(session) {
      const launch = launchOf(session);
      if (!launch) return undefined;
      const recorder = new PauseRecorder(launch.id, launch.name, send);
      return {
        onDidSendMessage: (message: DapMessage) => recorder.fromAdapter(message),
        onWillReceiveMessage: (message: DapMessage) => recorder.fromEditor(message),
        onWillStopSession: () => recorder.end(),
        onExit: () => recorder.end(),
        onError: () => undefined,
      };
    },
  });
}
