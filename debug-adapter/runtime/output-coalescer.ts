// Joins a module's many small stdout/stderr writes into fewer output events: a program printing
// 20,000 short lines would otherwise cost 20,000 events (and postMessages, and console writes).
// Order is kept: a switch of stream flushes first, and the runtime flushes before any stop, exit
// or sample so the user sees output up to that moment. Writes still succeed at once for the
// module (as a pipe with a large buffer would).
import type { OutputEvent } from './events';

export class OutputCoalescer {
  private stream: 'stdout' | 'stderr' = 'stdout';
  private chunks: Uint8Array[] = [];
  private size = 0;

  constructor(
    private readonly emit: (e: OutputEvent) => void,
    private readonly maxBytes = 64 * 1024,
  ) {}

  write(stream: 'stdout' | 'stderr', data: Uint8Array): void {
    if (stream !== this.stream) this.flush();
    this.stream = stream;
    // The host may reuse its buffer: keep a copy.
    this.chunks.push(data.slice());
    this.size += data.length;
    if (this.size >= this.maxBytes) this.flush();
  }

  flush(): void {
    if (this.size === 0 && this.chunks.length === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = [];
    this.size = 0;
    this.emit({ kind: 'output', stream: this.stream, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  }
}
