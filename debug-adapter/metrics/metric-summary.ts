// Folds a run's MetricEvents (direct module metrics) into the report's `metrics` section: per name,
// counts and min/max/last/sum. Order of arrival does not matter except for `last`.
import type { MetricEvent } from '../runtime/events';
import { bigintToJson } from '../telemetry/fuel-number';
import type { ReportMetricCounter, ReportMetricGauge, ReportMetricTimer, ReportMetrics, ReportMetricsStats } from '../telemetry/report';
import type { ModuleTimerTotals } from './module-metrics';

interface Acc {
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
}

export const MAX_GAUGE_SAMPLES = 1000;

export class MetricSummary {
  private readonly counters = new Map<string, Acc>();
  private readonly gauges = new Map<string, Acc>();
  private readonly timers = new Map<string, Acc>();
  private readonly samples = new Map<string, { fuel: bigint; value: number }[]>();
  private readonly samplesOmitted = new Map<string, number>();
  private nonFinite = 0;

  add(e: MetricEvent): void {
    if (!Number.isFinite(e.value)) {
      this.nonFinite++;
      return;
    }
    if (e.metric === 'gauge') {
      const list = this.samples.get(e.name) ?? [];
      if (list.length < MAX_GAUGE_SAMPLES) list.push({ fuel: e.fuel, value: e.value });
      else this.samplesOmitted.set(e.name, (this.samplesOmitted.get(e.name) ?? 0) + 1);
      this.samples.set(e.name, list);
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

  toReport(mode: ReportMetrics['mode'], timerUnit: ReportMetrics['timerUnit'], stats?: ReportMetricsStats, timerTotals?: readonly ModuleTimerTotals[]): ReportMetrics {
    const byName = <T extends { name: string }>(xs: T[]): T[] => xs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const counters: ReportMetricCounter[] = byName(
      [...this.counters].map(([name, a]) => ({ name, count: a.count, sum: a.sum, min: a.min, max: a.max, last: a.last })),
    );
    const gauges: ReportMetricGauge[] = byName(
      [...this.gauges].map(([name, a]) => ({
        name,
        count: a.count,
        last: a.last,
        min: a.min,
        max: a.max,
        samples: (this.samples.get(name) ?? []).map((x) => ({ fuel: bigintToJson(x.fuel), value: x.value })),
        samplesOmitted: this.samplesOmitted.get(name) ?? 0,
      })),
    );
    const totals = new Map((timerTotals ?? []).map((t) => [t.name, t]));
    const timers: ReportMetricTimer[] = byName(
      [...this.timers].map(([name, a]) => {
        const t: ReportMetricTimer = { name, count: a.count, total: a.sum, min: a.min, max: a.max, mean: a.sum / a.count };
        const tt = totals.get(name);
        if (tt) {
          t.fuelTotal = bigintToJson(tt.fuel);
          t.wallMsTotal = tt.ms;
        }
        return t;
      }),
    );
    const out: ReportMetrics = { mode, timerUnit, counters, gauges, timers, nonFiniteValues: this.nonFinite };
    if (stats) out.stats = stats;
    return out;
  }
}
