/**
 * Text in the report's HTML and SVG. Everything a tool, a workflow or a user wrote (tool names,
 * messages, stderr, evidence, the task's error) is untrusted: it goes into the page only through
 * `escapeHtml`, which makes it text in element content and in quoted attribute values (the five
 * characters HTML gives meaning to, as the OWASP XSS prevention cheat sheet's "HTML entity
 * encoding" lists them). The page also has a Content-Security-Policy that allows no script at all
 * (`report-html.ts`), so even a missed escape could not run code.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` safe inside an element or a double- or single-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** At most `max` characters of `text` (counted in code points), the rest cut with `…`. */
export function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** What an attempt's bar and a tool's node are coloured by: its status, or `cached` for a cache hit. */
export type Outcome = 'succeeded' | 'failed' | 'running' | 'ready' | 'pending' | 'skipped' | 'cancelled' | 'cached';

/** The colour of each outcome (fill), with white or dark text on it. Kept in one place so the legend, the timeline and the DAG agree. */
export const OUTCOME_COLOURS: Record<Outcome, { fill: string; text: string; label: string }> = {
  succeeded: { fill: '#2e7d32', text: '#ffffff', label: 'succeeded' },
  cached: { fill: '#00897b', text: '#ffffff', label: 'cached (reused, did not run)' },
  failed: { fill: '#c62828', text: '#ffffff', label: 'failed' },
  running: { fill: '#1565c0', text: '#ffffff', label: 'running' },
  ready: { fill: '#64b5f6', text: '#0d2a4a', label: 'submitted, not started' },
  cancelled: { fill: '#ef6c00', text: '#ffffff', label: 'cancelled' },
  skipped: { fill: '#bdbdbd', text: '#212121', label: 'skipped (a dependency failed)' },
  pending: { fill: '#e0e0e0', text: '#212121', label: 'pending' },
};

/** The outcome of an attempt: `cached` for a cache hit, else its status. */
export function outcomeOf(a: { status: Outcome | string; cachedFrom: unknown }): Outcome {
  if (a.cachedFrom) return 'cached';
  return (a.status in OUTCOME_COLOURS ? a.status : 'pending') as Outcome;
}

/** A number for an SVG attribute: at most 1 decimal, no exponent. */
export function px(n: number): string {
  return String(Math.round(n * 10) / 10);
}
