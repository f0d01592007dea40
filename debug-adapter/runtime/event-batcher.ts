// Collects runtime events in the worker and posts them in batches: one postMessage per event
// would dominate a syscall-heavy run, so events are sent when the batch is full, when output
// arrives (so the user sees it promptly), or when enough time has passed.
import type { RuntimeEvent } from './events';

export class EventBatcher {
  private batch: RuntimeEvent[] = [];
  private lastFlush = Date.now();

  constructor(
    private readonly send: (events: RuntimeEvent[]) => void,
    private readonly maxBatch = 512,
    private readonly maxDelayMs = 50,
  ) {}

  push(event: RuntimeEvent): void {
    this.batch.push(event);
    if (
      this.batch.length >= this.maxBatch ||
      event.kind === 'output' ||
      event.kind === 'stop' ||
      event.kind === 'exit' ||
      Date.now() - this.lastFlush >= this.maxDelayMs
    ) {
      this.flush();
    }
  }

  flush(): void {
    if (this.batch.length === 0) return;
    const events = this.batch;
    this.batch = [];
    this.lastFlush = Date.now();
    this.send(events);
  }
}
