/**
 * What the normalizer's modules (normalize.ts, normalize-inputs.ts, normalize-outputs.ts) share:
 * the context a pass collects its problems in, the paths the schema check already reported, and
 * guards for data of any shape (a file with schema errors can hold anything where an object is due).
 */
import type { SpecIssue } from '../errors.js';
import type { InputSpec } from './types.js';
import type { DataPath, YamlSource } from './yaml-source.js';

/** Whether the schema check already reported a problem at this path or under it. */
export type Reported = (path: DataPath) => boolean;

/** One normalizing pass: the source that issues point into, the problems found so far, and what the schema check reported. */
export interface Ctx {
  source: YamlSource;
  problems: SpecIssue[];
  reported: Reported;
}

/** A YAML mapping, before its fields are checked. */
export type Obj = Record<string, unknown>;

/** Whether a value is a mapping (not null, not a list). */
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Adds a problem at `path` (its line and column from the source). */
export function problem(ctx: Ctx, path: DataPath, message: string): void {
  ctx.problems.push(ctx.source.issue(path, message));
}

/**
 * Parses one field. @returns undefined when the field is absent, was reported by the schema check,
 * or `parse` threw (its message is then a problem at the field).
 */
export function parseField<T>(ctx: Ctx, path: DataPath, value: unknown, parse: (v: unknown) => T): T | undefined {
  if (value === undefined || ctx.reported(path)) return undefined;
  try {
    return parse(value);
  } catch (err) {
    problem(ctx, path, (err as Error).message);
    return undefined;
  }
}

/**
 * A tool's `scatter` as normalized: the name as written (null when absent or reported), and the
 * input when it is one to scatter over (a samples or list input).
 */
export interface Scatter {
  name: string | null;
  input?: InputSpec;
}
