// The progress line of `wasiscope run` on stderr: fuel burned and time elapsed, from the runtime's
// fuel samples. Shown from the start with --progress; by default only once a run has lasted a
// couple of seconds, and only on a terminal (never in pipes, logs or tests). On a terminal the
// line redraws in place and is cleared before the module's own output, so that output is never
// glued to it; elsewhere (forced with --progress) it is a line per update, at a slower pace.

export const AUTO_PROGRESS_AFTER_MS = 2000;
const TTY_EVERY_MS = 250;
const LINE_EVERY_MS = 5000;
const CLEAR = '\r\x1b[K';

export interface ProgressStream {
  readonly isTTY?: boolean;
  write(s: string): unknown;
}

/** Whether progress shows at all, at this point of the run. */
export function progressVisible(mode: boolean | 'auto', isTTY: boolean, elapsedMs: number): boolean {
  if (mode === 'auto') return isTTY && elapsedMs >= AUTO_PROGRESS_AFTER_MS;
  return mode;
}

export class ProgressLine {
  private lastDrawn = Number.NEGATIVE_INFINITY;
  private onScreen = false;
  private shown = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly mode: boolean | 'auto',
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A fuel sample: redraws when due. */
  onFuel(consumed: bigint, elapsedMs: number): void {
    const tty = this.stream.isTTY === true;
    if (!progressVisible(this.mode, tty, elapsedMs)) return;
    const t = this.now();
    if (t - this.lastDrawn < (tty ? TTY_EVERY_MS : LINE_EVERY_MS)) return;
    this.lastDrawn = t;
    this.shown = true;
    const text = `[wasiscope] fuel ${consumed.toLocaleString('en-US')} after ${(elapsedMs / 1000).toFixed(1)} s`;
    if (tty) {
      this.stream.write(`${CLEAR}${text}`);
      this.onScreen = true;
    } else {
      this.stream.write(`${text}\n`);
    }
  }

  /** Before the module writes to the terminal: take the line away (it comes back at the next sample). */
  beforeOutput(): void {
    if (!this.onScreen) return;
    this.stream.write(CLEAR);
    this.onScreen = false;
  }

  /** The run ended: clear the line. */
  finish(): void {
    this.beforeOutput();
  }

  /** Whether anything was shown. */
  get wasShown(): boolean {
    return this.shown;
  }
}
