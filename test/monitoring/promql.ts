/**
 * What the monitoring tests read from a PromQL expression, without a PromQL parser of their own
 * (Prometheus itself checks the syntax when the tests run each query): the metric names it selects
 * and the label names it uses, and the Grafana variables a dashboard query holds, replaced by
 * values as Grafana would interpolate them.
 */

/** PromQL keywords that look like names (prometheus/promql/parser/lex.go `key`). */
const KEYWORDS = new Set(['and', 'or', 'unless', 'atan2', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'inf', 'nan', 'start', 'end']);

/** `expr` with string literals emptied (label values, regexes), so braces and names inside them are not read. */
function withoutStrings(expr: string): string {
  return expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
}

/**
 * The metric names `expr` selects: every name that is not a function call, a keyword, a label
 * (inside `{…}` or a grouping clause), or part of a duration or number.
 */
export function metricNames(expr: string): string[] {
  const s = withoutStrings(expr)
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const out = new Set<string>();
  for (const m of s.matchAll(/(?<![\w.:$])[A-Za-z_:][\w:]*/g)) {
    const called = /^\s*\(/.test(s.slice(m.index + m[0].length));
    if (!called && !KEYWORDS.has(m[0].toLowerCase())) out.add(m[0]);
  }
  return [...out].sort();
}

/** The label names `expr` uses: in matchers (`{a="x", b=~"y"}`) and in grouping clauses (`by (a, b)`). */
export function labelNames(expr: string): string[] {
  const s = withoutStrings(expr);
  const out = new Set<string>();
  for (const block of s.matchAll(/\{([^}]*)\}/g)) for (const m of block[1]!.matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g)) out.add(m[1]!);
  for (const clause of s.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)) {
    for (const name of clause[1]!.split(',').map((n) => n.trim()).filter(Boolean)) out.add(name);
  }
  return [...out].sort();
}

/** Values for the dashboard's variables and Grafana's built-ins, as the tests interpolate them. */
export interface Interpolation {
  rateInterval: string;
  range: string;
  window: string;
  tool: string;
  namespace: string;
}

/**
 * `expr` with Grafana's variables replaced (`$__rate_interval`, `$__range`, and the dashboard's
 * `$window`, `$tool` (All is `.*`, its allValue), `$namespace`).
 * @throws Error naming a variable left over, which this function does not know.
 */
export function interpolate(expr: string, v: Interpolation): string {
  const out = expr
    .replaceAll('$__rate_interval', v.rateInterval)
    .replaceAll('$__range', v.range)
    .replaceAll('$window', v.window)
    .replaceAll('$tool', v.tool)
    .replaceAll('$namespace', v.namespace);
  if (out.includes('$')) throw new Error(`a variable the tests do not interpolate is left in: ${out}`);
  return out;
}
