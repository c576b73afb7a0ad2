/**
 * Loading a workflow file: YAML → typing of schema numbers and booleans → JSON Schema check (ajv) →
 * normalized model → DAG checks → the commands' `$TF_*` references (references.ts). Every problem
 * is reported with file, line, column and field path, sorted by position; the stages after YAML run
 * even when an earlier one found problems, so one pass reports every independent error (a field
 * already reported is not reported again).
 */
import { readFile, stat } from 'node:fs/promises';
import { SpecError, type SpecIssue } from '../errors.js';
import { buildDag, type Dag } from './graph.js';
import { normalizeWorkflow } from './normalize.js';
import { coreBoolean, typeOptionValue } from './option-values.js';
import { checkReferences } from './references.js';
import { checkSchema } from './schema-check.js';
import type { WorkflowSpec } from './types.js';
import { MAX_YAML_BYTES, YamlSource, type DataPath } from './yaml-source.js';

export { checkRelativePath, DEFAULT_RETRY, envKey, MIN_BYTES } from './normalize.js';
export { passEnvProblem } from './tool-env.js';

/** A loaded workflow: the spec, its DAG and the source (to place later errors, such as option values). */
export interface LoadedWorkflow {
  spec: WorkflowSpec;
  dag: Dag;
  source: YamlSource;
}

/**
 * Reads and checks a workflow file.
 * @throws SpecError with every issue found (file missing or too large, YAML syntax, schema, values, graph).
 */
export async function loadWorkflowFile(file: string): Promise<LoadedWorkflow> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new SpecError([{ file, path: '', message: 'is not a regular file' }]);
    size = st.size;
  } catch (err) {
    if (err instanceof SpecError) throw err;
    throw new SpecError([{ file, path: '', message: `cannot read the file: ${(err as Error).message}` }]);
  }
  if (size > MAX_YAML_BYTES) {
    throw new SpecError([{ file, path: '', message: `file is ${size} bytes, more than the ${MAX_YAML_BYTES}-byte limit` }]);
  }
  return parseWorkflow(file, await readFile(file, 'utf8'));
}

/**
 * Checks workflow text.
 * @param file name used in messages.
 * @throws SpecError with every issue found (the commands' `$TF_*` names that will not be bound
 *   included: references.ts), sorted by line and column. A YAML syntax error (or an
 *   oversized or alias-bomb document) stops before the other checks: there is no data to check. A
 *   key written twice does not: every repeat is reported (with both positions), and the rest is
 *   checked with the last value of each repeated key.
 */
export function parseWorkflow(file: string, text: string): LoadedWorkflow {
  const { source, issues: yamlIssues } = YamlSource.parse(file, text);
  if (!source) throw new SpecError(yamlIssues);
  if (source.data === undefined || source.data === null) throw new SpecError([{ file, line: 1, column: 1, path: '', message: 'the file is empty' }]);
  const typingIssues = typeScalars(source);
  const schema = checkSchema(source);
  const { spec, problems } = normalizeWorkflow(source, schema.reported);
  const { dag, problems: graphProblems } = buildDag(spec.tools);
  const rawTools = (source.data as { tools?: unknown }).tools;
  const graphIssues = graphProblems.map((p) => {
    const path: DataPath = ['tools', p.tool];
    const rely = Array.isArray(rawTools) ? (rawTools[p.tool] as { rely?: unknown } | undefined)?.rely : undefined;
    if (p.kind === 'duplicate') path.push('name');
    else if (p.relyIndex !== undefined) path.push('rely', ...(Array.isArray(rely) ? [p.relyIndex] : []));
    else path.push('rely');
    return source.issue(path, p.message);
  });
  // Without a DAG (a cycle, an unknown rely) ancestry is unknown: only the name clashes are checked.
  const referenceIssues = checkReferences(source, spec, dag, schema.reported);
  const all = [...yamlIssues, ...typingIssues, ...schema.issues, ...problems, ...graphIssues, ...referenceIssues];
  if (all.length > 0 || !dag) throw new SpecError(sortByPosition(all));
  return { spec, dag, source };
}

/** Issues in file order (stable: issues at one position keep their order); those without a position first. */
function sortByPosition(issues: SpecIssue[]): SpecIssue[] {
  return issues
    .map((issue, k) => ({ issue, k }))
    .sort((a, b) => (a.issue.line ?? 0) - (b.issue.line ?? 0) || (a.issue.column ?? 0) - (b.issue.column ?? 0) || a.k - b.k)
    .map(({ issue }) => issue);
}

/**
 * Types the boolean and number fields before the schema check, by toolflow's rules rather than YAML's
 * or ajv's guesses: `required` (of inputs, sheet columns and options) and `publish` take the YAML 1.2 core schema's booleans (true, True, TRUE, false, False, FALSE); `min`, `max`, `retry.max` and `retry.grow`
 * take decimal numbers only (`010` or `0x10` is refused, not read as 10, 8 or 16).
 * @returns issues for numbers that are not plain decimals.
 */
function typeScalars(source: YamlSource): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const raw = source.data as { inputs?: unknown; tools?: unknown } | null;
  if (!raw || typeof raw !== 'object') return issues;
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const num = (obj: Record<string, unknown>, key: string, type: 'int' | 'float', path: DataPath) => {
    const v = obj[key];
    if (typeof v !== 'string') return;
    const typed = typeOptionValue(type, v);
    if ('error' in typed) {
      issues.push(source.issue([...path, key], typed.error));
      delete obj[key]; // reported here; the schema check must not report it again
    } else obj[key] = typed.value;
  };
  if (isObj(raw.inputs)) {
    for (const v of Object.values(raw.inputs)) {
      if (!isObj(v)) continue;
      if ('required' in v) v.required = toBoolean(v.required) as boolean;
      if (isObj(v.columns)) for (const c of Object.values(v.columns)) if (isObj(c) && 'required' in c) c.required = toBoolean(c.required);
    }
  }
  if (!Array.isArray(raw.tools)) return issues;
  raw.tools.forEach((t: unknown, i) => {
    if (!isObj(t)) return;
    if ('publish' in t) t.publish = toBoolean(t.publish);
    if (Array.isArray(t.options)) {
      t.options.forEach((o: unknown, k) => {
        if (!isObj(o)) return;
        if ('required' in o) o.required = toBoolean(o.required);
        num(o, 'min', 'float', ['tools', i, 'options', k]);
        num(o, 'max', 'float', ['tools', i, 'options', k]);
      });
    }
    if (isObj(t.retry)) {
      num(t.retry, 'max', 'int', ['tools', i, 'retry']);
      num(t.retry, 'grow', 'float', ['tools', i, 'retry']);
    }
  });
  return issues;
}

/** A boolean by the YAML 1.2 core schema (true, True, TRUE, false…); anything else is left for the schema to reject. */
function toBoolean(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  return coreBoolean(v) ?? v;
}
