/**
 * The queries of toolflow's dashboard, read from its JSON model, and which metrics each one reads:
 * toolflow's own (and Prometheus' `up`), or a standard exporter's (monitoring/exporter-metrics.ts).
 */
import type { Dashboard, Panel, RowPanel } from '@grafana/schema';
import { EXPORTER_METRICS } from '../../monitoring/exporter-metrics.js';
import { metricNames } from './promql.js';

/** One query of a panel. */
export interface DashboardQuery {
  panel: string;
  refId: string;
  expr: string;
  instant: boolean;
  /** `toolflow`: only toolflow_* metrics and up; `exporter`: only metrics of EXPORTER_METRICS. */
  source: 'toolflow' | 'exporter';
  metrics: string[];
}

/** Every panel of `d`, those inside rows included. */
export function allPanels(d: Dashboard): (Panel | RowPanel)[] {
  return (d.panels ?? []).flatMap((p) => (p.type === 'row' ? [p, ...((p as RowPanel).panels ?? [])] : [p]));
}

/**
 * Every query of `d`'s panels.
 * @throws Error naming a query that mixes toolflow's and an exporter's metrics, or reads a metric of neither.
 */
export function dashboardQueries(d: Dashboard): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const p of allPanels(d)) {
    if (p.type === 'row') continue;
    for (const t of ((p as Panel).targets ?? []) as { refId: string; expr: string; instant?: boolean }[]) {
      const metrics = metricNames(t.expr);
      const own = metrics.filter((m) => m.startsWith('toolflow_') || m === 'up');
      const exporter = metrics.filter((m) => m in EXPORTER_METRICS);
      if (metrics.length === 0 || (own.length && exporter.length) || own.length + exporter.length !== metrics.length) {
        throw new Error(`panel "${p.title}" ${t.refId}: ${t.expr} reads ${metrics.join(', ') || 'no metric'}: each query reads toolflow's metrics or listed exporter metrics, not both, nor others`);
      }
      out.push({ panel: p.title ?? '', refId: t.refId, expr: t.expr, instant: t.instant === true, source: own.length ? 'toolflow' : 'exporter', metrics });
    }
  }
  return out;
}
