// Watches the `wasi` debug sessions from inside VS Code: every message the adapter sends (stopped,
// output, custom events) through a DebugAdapterTracker, so tests can wait for what the editor waits
// for, with a timeout, instead of sleeping.
import * as vscode from 'vscode';
import type { DebugProtocol } from '@vscode/debugprotocol';

type Waiter = { match: (m: DebugProtocol.ProtocolMessage) => boolean; resolve: (m: DebugProtocol.ProtocolMessage) => void };

export class SessionWatch implements vscode.Disposable {
  readonly messages: DebugProtocol.ProtocolMessage[] = [];
  private waiters: Waiter[] = [];
  private readonly subscriptions: vscode.Disposable[] = [];
  session: vscode.DebugSession | undefined;
  ended = false;

  constructor(debugType: string) {
    this.subscriptions.push(
      vscode.debug.registerDebugAdapterTrackerFactory(debugType, {
        createDebugAdapterTracker: (session) => {
          this.session = session;
          this.ended = false;
          return { onDidSendMessage: (m: DebugProtocol.ProtocolMessage) => this.record(m) };
        },
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        if (s === this.session) this.ended = true;
        this.record({ seq: 0, type: 'event', event: '(session ended)' } as DebugProtocol.Event);
      }),
    );
  }

  private record(m: DebugProtocol.ProtocolMessage): void {
    this.messages.push(m);
    for (const w of [...this.waiters]) {
      if (w.match(m)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  }

  /** The next event named `event` from now on (or already recorded after index `since`). */
  waitForEvent<E extends DebugProtocol.Event>(event: string, timeoutMs = 60_000, since = this.messages.length): Promise<E> {
    const isIt = (m: DebugProtocol.ProtocolMessage): boolean => m.type === 'event' && (m as DebugProtocol.Event).event === event;
    const seen = this.messages.slice(since).find(isIt);
    if (seen) return Promise.resolve(seen as E);
    return new Promise<E>((resolve, reject) => {
      const w: Waiter = { match: isIt, resolve: (m) => resolve(m as E) };
      this.waiters.push(w);
      setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i < 0) return;
        this.waiters.splice(i, 1);
        const events = this.messages.filter((m) => m.type === 'event').map((m) => (m as DebugProtocol.Event).event);
        reject(new Error(`no '${event}' event within ${timeoutMs} ms; events so far: ${events.join(', ') || 'none'}`));
      }, timeoutMs);
    });
  }

  /** Everything the program printed (output events of category stdout/stderr/console). */
  output(): string {
    return this.messages
      .filter((m): m is DebugProtocol.OutputEvent => m.type === 'event' && (m as DebugProtocol.Event).event === 'output')
      .map((e) => e.body.output)
      .join('');
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}
