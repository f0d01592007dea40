// What the panels show, fed from the debug session's custom events: turns `wasiscope/fuel`,
// `wasiscope/memory`, `wasiscope/capability` (capability and security events), `wasiscope/anomaly`
// and `wasiscope/trace` bodies into the webviews' protocol messages, batches them (a module can make
// a million host calls; a webview wants a few messages a second), and keeps what a panel opened
// later, or reloaded, needs to catch up (bounded). No `vscode` import: tested in plain Node.
import {
  AuditAnomaly,
  AuditBaseline,
  AuditCapability,
  AuditSecurity,
  GaugesMemory,
  GaugesSample,
  MAX_AUDIT_ROWS,
  MAX_SAMPLES,
  PATH_KEYS,
  SessionStart,
  SessionStatusChanged,
  SpansTrace,
  type AnomalyRow,
  type AuditTotals,
  type BaselineSummary,
  type CapabilityRow,
  type CompleteTrace,
  type FuelSample,
  type Message,
  type MemorySample,
  type SecurityRow,
  type SessionInfo,
  type StatusInfo,
  type WebviewName,
  type WireValue,
} from '../../webviews/shared/protocol';

type AnyMessage = Message<string, unknown>;
export type Post = (msg: AnyMessage) => void;

const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' || typeof v === 'bigint' ? Number(v) : 0);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

function wire(v: unknown): WireValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(wire);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, wire(x)]));
  return String(v);
}

function wireRecord(v: unknown): Record<string, WireValue> {
  return Object.fromEntries(Object.entries(obj(v)).map(([k, x]) => [k, wire(x)]));
}

export function toCapabilityRow(b: Record<string, unknown>): CapabilityRow {
  return {
    seq: num(b.seq),
    fuel: num(b.fuel),
    time: num(b.time),
    module: String(b.module ?? ''),
    func: String(b.func ?? ''),
    args: wireRecord(b.args),
    results: wireRecord(b.results),
    errno: num(b.errno),
    errnoName: String(b.errnoName ?? ''),
    durationUs: num(b.durationUs),
    denied: b.denied === true,
  };
}

/** The baseline file's capability profile (wasiscope-baseline JSON), or null when it is not one. */
export function toBaselineSummary(source: string, json: unknown): BaselineSummary | null {
  const b = obj(json);
  if (b.format !== 'wasiscope-baseline') return null;
  const functions = Object.fromEntries(Object.entries(obj(b.functions)).map(([k, v]) => [k, num(v)]));
  const paths = Array.isArray(b.paths) ? b.paths.map(String) : [];
  return { source, calls: num(b.calls), functions, paths };
}

interface Pending {
  samples: FuelSample[];
  memory: MemorySample[];
  capabilities: CapabilityRow[];
  security: SecurityRow[];
  anomalies: AnomalyRow[];
}

const emptyPending = (): Pending => ({ samples: [], memory: [], capabilities: [], security: [], anomalies: [] });

export class PanelFeed {
  private session: SessionInfo | null = null;
  private status: StatusInfo = { status: 'idle' };
  private baseline: BaselineSummary | null = null;
  private trace: CompleteTrace | null = null;
  // Kept for catching up: the same bounds the webviews keep.
  private samples: FuelSample[] = [];
  private memory: MemorySample[] = [];
  private capabilities: CapabilityRow[] = [];
  /** Totals over the rows that fell out of `capabilities`. */
  private evicted: AuditTotals = emptyTotals();
  private security: SecurityRow[] = [];
  private anomalies: AnomalyRow[] = [];
  private pending = emptyPending();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscribers = new Map<WebviewName, Set<Post>>();

  /** `flushMs`: how long events are gathered before they are posted (0: at once). */
  constructor(private readonly flushMs = 100) {}

  subscribe(view: WebviewName, post: Post): () => void {
    let set = this.subscribers.get(view);
    if (!set) this.subscribers.set(view, (set = new Set()));
    set.add(post);
    return () => set.delete(post);
  }

  /** Everything a newly opened (or reloaded) panel needs, as the messages it would have seen. */
  replay(view: WebviewName): AnyMessage[] {
    this.flush();
    if (!this.session) return [];
    const out: AnyMessage[] = [SessionStart.create(this.session)];
    if (view === 'gauges') {
      if (this.memory.length) out.push(GaugesMemory.create({ events: this.memory }));
      if (this.samples.length) out.push(GaugesSample.create({ samples: this.samples }));
    } else if (view === 'audit') {
      out.push(AuditBaseline.create({ baseline: this.baseline }));
      if (this.capabilities.length) out.push(AuditCapability.create(this.evicted.calls > 0 ? { events: this.capabilities, earlier: this.evicted } : { events: this.capabilities }));
      if (this.security.length) out.push(AuditSecurity.create({ events: this.security }));
      if (this.anomalies.length) out.push(AuditAnomaly.create({ events: this.anomalies }));
    } else if (this.trace) out.push(SpansTrace.create({ trace: this.trace }));
    if (this.status.status !== 'running') out.push(SessionStatusChanged.create(this.status));
    return out;
  }

  startSession(info: SessionInfo, baseline: BaselineSummary | null = null): void {
    this.flush();
    this.session = info;
    this.status = { status: 'running' };
    this.baseline = baseline;
    this.trace = null;
    this.samples = [];
    this.memory = [];
    this.capabilities = [];
    this.evicted = emptyTotals();
    this.security = [];
    this.anomalies = [];
    this.broadcast(['gauges', 'audit', 'spans'], SessionStart.create(info));
    this.broadcast(['audit'], AuditBaseline.create({ baseline }));
  }

  setStatus(status: StatusInfo): void {
    this.flush();
    this.status = status;
    this.broadcast(['gauges', 'audit', 'spans'], SessionStatusChanged.create(status));
  }

  /** A debug session custom event. Returns false for events the panels do not use. */
  onCustomEvent(event: string, body: unknown): boolean {
    const b = obj(body);
    switch (event) {
      case 'wasiscope/fuel':
        this.pending.samples.push({ consumed: num(b.consumed), elapsedMs: num(b.elapsedMs) });
        break;
      case 'wasiscope/memory':
        this.pending.memory.push({ memory: num(b.memory), beforePages: num(b.beforePages), afterPages: num(b.afterPages), fuel: num(b.fuel) });
        break;
      case 'wasiscope/capability':
        // The adapter sends security events under the same name; `kind` tells them apart.
        if (b.kind === 'security') {
          this.pending.security.push({ reason: String(b.reason) as SecurityRow['reason'], message: String(b.message ?? ''), capabilitySeq: num(b.capabilitySeq) });
        } else this.pending.capabilities.push(toCapabilityRow(b));
        break;
      case 'wasiscope/anomaly':
        this.pending.anomalies.push({ anomaly: String(b.anomaly) as AnomalyRow['anomaly'], message: String(b.message ?? ''), evidence: wireRecord(b.evidence), capabilitySeq: num(b.capabilitySeq) });
        break;
      case 'wasiscope/trace':
        this.flush();
        this.trace = body as CompleteTrace;
        this.broadcast(['spans'], SpansTrace.create({ trace: this.trace }));
        return true;
      default:
        return false;
    }
    this.schedule();
    return true;
  }

  private schedule(): void {
    if (this.flushMs <= 0) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Posts what was gathered. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    this.pending = emptyPending();
    if (p.memory.length) {
      this.memory = keepLast([...this.memory, ...p.memory], MAX_SAMPLES);
      this.broadcast(['gauges'], GaugesMemory.create({ events: p.memory }));
    }
    if (p.samples.length) {
      this.samples = keepLast([...this.samples, ...p.samples], MAX_SAMPLES);
      this.broadcast(['gauges'], GaugesSample.create({ samples: p.samples }));
    }
    if (p.capabilities.length) {
      const all = [...this.capabilities, ...p.capabilities];
      if (all.length > MAX_AUDIT_ROWS) addTotals(this.evicted, all.slice(0, all.length - MAX_AUDIT_ROWS));
      this.capabilities = keepLast(all, MAX_AUDIT_ROWS);
      this.broadcast(['audit'], AuditCapability.create({ events: p.capabilities }));
    }
    if (p.security.length) {
      this.security = keepLast([...this.security, ...p.security], MAX_AUDIT_ROWS);
      this.broadcast(['audit'], AuditSecurity.create({ events: p.security }));
    }
    if (p.anomalies.length) {
      this.anomalies = keepLast([...this.anomalies, ...p.anomalies], MAX_AUDIT_ROWS);
      this.broadcast(['audit'], AuditAnomaly.create({ events: p.anomalies }));
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.subscribers.clear();
  }

  private broadcast(views: WebviewName[], msg: AnyMessage): void {
    for (const v of views) for (const post of this.subscribers.get(v) ?? []) post(msg);
  }
}

const emptyTotals = (): AuditTotals => ({ calls: 0, failed: 0, denied: 0, functions: {}, paths: [] });

function addTotals(t: AuditTotals, rows: CapabilityRow[]): void {
  const paths = new Set(t.paths);
  for (const r of rows) {
    t.calls++;
    if (r.errno !== 0) t.failed++;
    if (r.denied) t.denied++;
    t.functions[r.func] = (t.functions[r.func] ?? 0) + 1;
    for (const k of PATH_KEYS) if (typeof r.args[k] === 'string') paths.add(r.args[k] as string);
  }
  t.paths = [...paths].sort();
}

function keepLast<T>(items: T[], max: number): T[] {
  return items.length > max ? items.slice(items.length - max) : items;
}
