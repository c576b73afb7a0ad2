/**
 * The names of the series toolflow's metrics expose, read from the registry shared/metrics/metrics.ts
 * builds (the catalogue of issue 12, in code): each metric's name, and for a histogram its
 * `_bucket`, `_sum` and `_count` series; prom-client's default process metrics included.
 */
import { metricsRegistry } from '../../shared/metrics/metrics.js';

/** Every series name toolflow's registry exposes. */
export async function catalogue(): Promise<Set<string>> {
  const out = new Set<string>();
  for (const m of await metricsRegistry().getMetricsAsJSON()) {
    if (String(m.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) out.add(`${m.name}${suffix}`);
    else out.add(m.name);
  }
  return out;
}
