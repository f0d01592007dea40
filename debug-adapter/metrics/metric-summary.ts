// Folds a run's MetricEvents (direct module metrics) into the report's `metrics` section: per name,
// counts and min/max/last/sum. Order of arrival does not matter except for `last`.
import type { MetricEvent } from '../runtime/events';
import type { ReportMetricCounter, ReportMetricGauge, ReportMetricTimer, ReportMetrics, ReportMetricsStats } from '../telemetry/report';

interface Acc {
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
}

export class MetricSummary {
  private readonly counters = new Map<string, Acc>();
  private readonly gauges = new Map<string, Acc>();
  private readonly timers = new Map<string, Acc>();
  private nonFinite = 0;

  add(e: MetricEvent): void {
    if (!Number.isFinite(e.value)) {
      this.nonFinite++;
      return;
    }
    const map = e.metric === 'counter' ? this.counters : e.metric === 'gauge' ? this.gauges : this.timers;
    const a = map.get(e.name);
    if (!a) {
      map.set(e.name, { count: 1, sum: e.value, min: e.value, max: e.value, last: e.value });
      return;
    }
    a.count++;
    a.sum += e.value;
    if (e.value < a.min) a.min = e.value;
    if (e.value > a.max) a.max = e.value;
    a.last = e.value;
  }

  get eventCount(): number {
    let n = this.nonFinite;
    for (const m of [this.counters, this.gauges, this.timers]) for (const a of m.values()) n += a.count;
    return n;
  }

  toReport(mode: ReportMetrics['mode'], timerUnit: ReportMetrics['timerUnit'], stats?: ReportMetricsStats): ReportMetrics {
    const byName = <T extends { name: string }>(xs: T[]): T[] => xs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const counters: ReportMetricCounter[] = byName(
      [...this.counters].map(([name, a]) => ({ name, count: a.count, sum: a.sum, min: a.min, max: a.max, last: a.last })),
    );
    const gauges: ReportMetricGauge[] = byName([...this.gauges].map(([name, a]) => ({ name, count: a.count, last: a.last, min: a.min, max: a.max })));
    const timers: ReportMetricTimer[] = byName(
      [...this.timers].map(([name, a]) => ({ name, count: a.count, total: a.sum, min: a.min, max: a.max, mean: a.sum / a.count })),
    );
    const out: ReportMetrics = { mode, timerUnit, counters, gauges, timers, nonFiniteValues: this.nonFinite };
    if (stats) out.stats = stats;
    return out;
  }
}
