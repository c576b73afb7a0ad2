/**
 * The JSON Schema check of a workflow (ajv, schema/workflow.schema.json) and its messages: each ajv
 * error becomes an issue at the field's line and column, worded for the user (unknown fields with a
 * close known one, YAML 1.1 booleans, the rule a bad name breaks).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { validate } from './workflow-validator.generated.js';
import type { SpecIssue } from '../errors.js';
import { closest } from './graph.js';
import { formatPath, type DataPath, type YamlSource } from './yaml-source.js';

/**
 * The schema compiled ahead of time by ajv (scripts/generate-workflow-validator.mjs: options
 * allErrors, coerceTypes, verbose, non-strict), so checking a file costs no ajv import or compile.
 */
const validator = validate as ValidateFunction;

/**
 * Checks workflow data against the schema (every error, not the first: ajv's allErrors).
 * @returns the issues, deduplicated, and `reported(path)`: whether an issue is at `path` or under it
 *   (normalizing skips those fields so that nothing is reported twice).
 */
export function checkSchema(source: YamlSource): { issues: SpecIssue[]; reported: (path: DataPath) => boolean } {
  const errors = validator(source.data) ? [] : (validator.errors ?? []);
  // A bad property name is reported at the name itself; ajv's summary error for the object adds nothing.
  const found = errors.filter((e) => e.keyword !== 'propertyNames').map((e) => schemaIssue(source, e));
  const seen = new Set<string>();
  const issues: SpecIssue[] = [];
  const under = new Set<string>();
  for (const { issue, path } of found) {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
    for (let n = 0; n <= path.length; n++) under.add(formatPath(path.slice(0, n)));
  }
  const reported = issues.length === 0 ? () => false : (path: DataPath) => under.has(formatPath(path));
  return { issues, reported };
}

/** A value for a message: JSON, cut to 60 characters (a value can be huge once aliases are expanded). */
function preview(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function schemaIssue(source: YamlSource, e: ErrorObject): { issue: SpecIssue; path: DataPath } {
  const path: DataPath = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const p = e.params as Record<string, unknown>;
  const at = (message: string, key?: string) => ({ issue: source.issue(path, message, key), path: key === undefined ? path : [...path, key] });
  if (e.propertyName !== undefined) {
    const rule = (e.schema as unknown as { description?: string } | undefined)?.description ?? (e.parentSchema as { description?: string }).description;
    return at(`"${e.propertyName}" is not a valid name${rule ? `: ${rule}` : ''}`, e.propertyName);
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(p.additionalProperty);
      const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      const hint = closest(field, known);
      return at(`unknown field "${field}"${hint ? ` (did you mean "${hint}"?)` : `; known fields: ${known.join(', ')}`}`, field);
    }
    case 'required':
      // Reported at the mapping, but only the missing field is at fault: its siblings are still checked.
      return { issue: source.issue(path, `missing required field "${String(p.missingProperty)}"`), path: [...path, String(p.missingProperty)] };
    case 'type': {
      const got = valueAt(source.data, path);
      const hint = p.type === 'boolean' && typeof got === 'string' && /^(yes|no|on|off|y|n)$/i.test(got) ? ` ("${got}" is a boolean only in YAML 1.1; write true or false)` : '';
      return at(`must be ${String(p.type).replace(/,/g, ' or ')}, got ${preview(got)}${hint}`);
    }
    case 'pattern': {
      const description = (e.parentSchema as { description?: string }).description;
      return at(`${preview(valueAt(source.data, path))} is not valid${description ? `: ${description}` : ''}`);
    }
    case 'enum':
      return at(`${preview(valueAt(source.data, path))} must be one of ${(p.allowedValues as unknown[]).join(', ')}`);
    default:
      return at(e.message ?? 'is not valid');
  }
}

function valueAt(data: unknown, path: DataPath): unknown {
  let v = data;
  for (const part of path) v = (v as Record<string | number, unknown> | undefined)?.[part];
  return v;
}
