/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): label and field selectors, with the syntax of
 * k8s.io/apimachinery/pkg/labels (`a=b,c!=d,e in (f,g),h notin (i),j,!k`) and
 * k8s.io/apimachinery/pkg/fields (`metadata.name=x,status.phase!=Running`).
 */
import { badRequest } from './status.js';
import type { KubeObject } from './types.js';

/** Whether a set of labels matches. */
export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

/** A `metav1.LabelSelector` (`matchLabels` + `matchExpressions`). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** Splits at commas outside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

/**
 * Parses a label selector string. An empty one matches everything.
 * @throws ApiError 400 BadRequest for a requirement it cannot parse.
 */
export function parseLabelSelector(text: string | undefined): LabelMatcher {
  if (!text || !text.trim()) return () => true;
  const reqs: LabelMatcher[] = splitTop(text).map((r) => {
    let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(r);
    if (m) {
      const [, k, op, vals] = m;
      const set = new Set(vals!.split(',').map((v) => v.trim()).filter(Boolean));
      return op === 'in' ? (l) => l?.[k!] !== undefined && set.has(l[k!]!) : (l) => l?.[k!] === undefined || !set.has(l[k!]!);
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(r);
    if (m) {
      const [, k, op, v] = m;
      return op === '!=' ? (l) => l?.[k!] !== v : (l) => l?.[k!] === v;
    }
    m = /^(!?)([^=!\s()]+)$/.exec(r);
    if (m) {
      const [, not, k] = m;
      return not ? (l) => l?.[k!] === undefined : (l) => l?.[k!] !== undefined;
    }
    throw badRequest(`unable to parse requirement: ${JSON.stringify(r)}: found unexpected token in label selector ${JSON.stringify(text)}`);
  });
  return (labels) => reqs.every((f) => f(labels));
}

/** Whether labels match a `metav1.LabelSelector` object (an empty selector matches everything). */
export function matchesSelectorObject(sel: LabelSelectorObject | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels?.[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = labels?.[e.key] !== undefined;
    const val = labels?.[e.key];
    const inValues = val !== undefined && (e.values ?? []).includes(val);
    if (e.operator === 'In' && !inValues) return false;
    if (e.operator === 'NotIn' && inValues) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Field paths each resource accepts in a field selector (besides metadata.name and metadata.namespace). */
const FIELDS: Record<string, string[]> = {
  pods: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  jobs: ['status.successful'],
  secrets: ['type'],
  services: [],
  configmaps: [],
  namespaces: ['status.phase'],
};

function fieldValue(o: KubeObject, path: string): string {
  if (path === 'status.successful') return String((o.status as { succeeded?: number } | undefined)?.succeeded ?? 0);
  let cur: unknown = o;
  for (const part of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[part] : undefined;
  return cur === undefined || cur === null ? '' : String(cur);
}

/**
 * Parses a field selector for `resource`.
 * @throws ApiError 400 BadRequest for bad syntax or a field the resource does not index
 *   (`field label not supported: x`, as the real server says).
 */
export function parseFieldSelector(text: string | undefined, resource: string): (o: KubeObject) => boolean {
  if (!text || !text.trim()) return () => true;
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(FIELDS[resource] ?? [])]);
  const reqs = text.split(',').map((r) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(r);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${r}'`);
    const [, field, op, value] = m;
    if (!allowed.has(field!)) throw badRequest(`field label not supported: ${field}`);
    return (o: KubeObject) => (fieldValue(o, field!) === value) === (op !== '!=');
  });
  return (o) => reqs.every((f) => f(o));
}
