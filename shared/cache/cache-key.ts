/**
 * The cache key of an attempt (issue 10, "Cached reruns"; design10.md "Cache"): two attempts with
 * the same key would compute the same outputs, so the later one may reuse the earlier one's. Like
 * Nextflow's task hash (`-resume`) and Snakemake's rerun triggers (code, params, input files), the
 * key covers what a tool's results depend on:
 *
 * | part      | what is hashed                                                                      |
 * | --------- | ----------------------------------------------------------------------------------- |
 * | `command` | the tool's name (commands may read `$TF_TOOL`) and its commands, in order          |
 * | `outputs` | the declared output paths (as a set): a new declared output needs a new run        |
 * | `env`     | the tool's `env` (names and values) and the names it passes through (`envvars`)    |
 * | `values`  | the tool's option values (`TF_OPT_*`), typed: `20` and `"20"` differ               |
 * | `image`   | the container image (cluster mode), null when none                                 |
 * | `inputs`  | name → SHA-256 of each stored input the attempt gets                                |
 * | `items`   | the bindings (`TF_ITEM_*`, `TF_OUT_*`, `TF_DEP_*`): values, staged files' SHA-256   |
 * | `deps`    | for each dependency attempt: its recorded outputs' path and SHA-256, sorted by path |
 *
 * Not in the key: resources (cpu, memory, disk, time: they change how fast, not what, as Nextflow's
 * hash leaves out `cpus` and `memory`), the task id and attempt number, and the **values** of
 * passed-through variables: like Nextflow, which hashes a process's declared inputs and script
 * but not the host's environment, a changed `$PATH` or `$LANG` does not rerun a tool (rename the
 * variable list, or `--no-cache`, to force it). Dependencies count by their outputs' content, not by
 * their own keys, so a dependency that reran and wrote the same bytes leaves its dependents cached.
 *
 * The key is the SHA-256 of the canonical JSON of the parts' own SHA-256s; the parts, with enough
 * detail to tell a person what changed (`explain.ts`), are kept with the attempt
 * (`tool_runs.cache_parts`), their hashes cut to `PART_HASH_CHARS` hex digits: they only tell parts
 * apart for people (the key keeps all 256 bits), and the row every attempt writes stays small
 * (about 450 bytes for a tool without inputs or dependencies). No secret is stored: `env` values are kept only as hashes; option
 * values and sample-sheet fields (which toolflow shows in `status` and `TF_OPT_*` anyway) are kept
 * when short, hashed when long.
 */
import type { OutputRecord } from '../events/catalog.js';
import type { AttemptRequest } from '../executor/executor.js';
import type { Binding, OptionValue } from '../spec/types.js';
import { canonicalJson, hashJson, sha256Hex, type Json } from './canonical-json.js';

/** Version of the recipe: a key made by another recipe never matches (its parts are not compared). */
export const CACHE_RECIPE = 1;

/** The parts of a key, in the order people read them. */
export const PART_NAMES = ['command', 'outputs', 'env', 'values', 'image', 'inputs', 'items', 'deps'] as const;

/** One part of a key. */
export type PartName = (typeof PART_NAMES)[number];

/** Longest value (its JSON, characters) kept as itself in the detail; longer ones are kept as `{sha256}`. */
export const SHOWN_VALUE_CHARS = 80;

/** Hex digits kept of each hash in the stored parts and detail (64 bits): enough to tell two versions of a part apart. */
export const PART_HASH_CHARS = 16;

/** A hash as the stored parts keep it. */
function cut(hash: string): string {
  return hash.slice(0, PART_HASH_CHARS);
}

/** A value as the detail keeps it: itself when short, else the (cut) SHA-256 of its canonical JSON. */
export type ShownValue = OptionValue | { sha256: string };

/** What `explain.ts` reads to say which part changed and how. */
export interface CacheDetail {
  /** The tool's name. */
  name: string;
  /** SHA-256 (cut) of each command line, in order. */
  cmds: string[];
  /** Declared output paths, sorted, without duplicates. */
  outputs: string[];
  /** Each `env` variable's name → SHA-256 (cut) of its value (values may be secrets: never kept). */
  env: Record<string, string>;
  /** Names of the variables passed through, sorted. */
  passEnv: string[];
  /** Option name → value (short) or its hash. */
  values: Record<string, ShownValue>;
  image: string | null;
  /** Stored input name → SHA-256 of its bytes (whole: as `sha256sum` prints it). */
  inputs: Record<string, string>;
  /** Binding variable → its value (a short `value` binding), the tool a `dir` binding names, or the (cut) hash of the whole binding. */
  items: Record<string, ShownValue>;
  /** Dependency tool → SHA-256 (cut) of its outputs list (path and SHA-256 of each, sorted by path). */
  deps: Record<string, string>;
}

/** `tool_runs.cache_parts` of a keyed attempt: each part's SHA-256 (cut), the recipe, and the detail. */
export type CacheParts = Record<PartName, string> & {
  v: typeof CACHE_RECIPE;
  detail: CacheDetail;
  /** Set when a cache hit was refused because its files were gone or differed: `task/tool/attempt` of that hit. */
  refused?: string;
};

/** `tool_runs.cache_parts` of an attempt whose key could not be made: why (for `toolflow explain`). */
export interface Unkeyed {
  v: typeof CACHE_RECIPE;
  none: string;
}

/** What `cacheKeyOf` returns. */
export type CacheKeyResult = { key: string; parts: CacheParts } | { key: null; why: string };

/** `value` as the detail keeps it. */
function shown(value: OptionValue): ShownValue {
  const text = JSON.stringify(value);
  return text.length <= SHOWN_VALUE_CHARS ? value : { sha256: cut(sha256Hex(text)) };
}

/** A binding as it is hashed: its kind and what it names, with a staged input's SHA-256 in place of its name. */
function bindingForm(b: Binding, inputSha: (name: string) => string | undefined): Json | undefined {
  if ('value' in b) return { value: b.value };
  if ('input' in b) {
    const sha256 = inputSha(b.input);
    return sha256 === undefined ? undefined : { input: sha256 };
  }
  if ('dir' in b) return { dir: b.dir };
  return { outputs: b.outputs.map((o) => ({ tool: o.tool, path: o.path })) };
}

/** A dependency's outputs as they are hashed: `{path, sha256}`, sorted by path. */
function outputsForm(outputs: OutputRecord[]): Json {
  return [...outputs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((o) => ({ path: o.path, sha256: o.sha256 }));
}

/**
 * The cache key of `request`'s attempt, and its parts.
 * @param depOutputs the recorded outputs of each attempt in `request.deps`, by tool name (from
 *   `tool_runs.outputs_json`).
 * @returns `{key: null, why}` when the key cannot be made, which means the attempt is neither
 *   looked up nor reused: a stored input without a SHA-256 (uploaded by an older toolflow), or a
 *   dependency whose outputs were not recorded (it ran before outputs were checksummed).
 */
export function cacheKeyOf(request: AttemptRequest, depOutputs: Map<string, OutputRecord[]>): CacheKeyResult {
  const { spec } = request;
  const inputs: Record<string, string> = {};
  for (const name of Object.keys(request.inputs).sort()) {
    const sha256 = request.inputs[name]!.sha256;
    if (sha256 === undefined) return { key: null, why: `input ${name} has no checksum (it was stored by a toolflow without cached reruns): upload it again` };
    inputs[name] = sha256;
  }
  const deps: Record<string, Json> = {};
  const depHashes: Record<string, string> = {};
  for (const d of request.deps) {
    const outputs = depOutputs.get(d.tool);
    if (outputs === undefined) return { key: null, why: `dependency ${d.tool} (attempt ${d.attempt}) has no recorded outputs (it ran before outputs were checksummed)` };
    deps[d.tool] = outputsForm(outputs);
    depHashes[d.tool] = cut(hashJson(deps[d.tool]!));
  }
  const items: Record<string, Json> = {};
  const itemsShown: Record<string, ShownValue> = {};
  for (const b of spec.bindings ?? []) {
    const form = bindingForm(b, (name) => request.inputs[name]?.sha256);
    if (form === undefined) return { key: null, why: `the file of ${b.env} (input ${(b as { input: string }).input}) has no checksum: upload it again` };
    items[b.env] = form;
    // A `dir` binding shows the tool it names (no hash to make: the hot path of a chain).
    itemsShown[b.env] = 'value' in b ? shown(b.value) : 'dir' in b ? shown(b.dir) : { sha256: cut(hashJson(form)) };
  }
  const outputs = [...new Set(spec.outputs)].sort();
  const passEnv = [...new Set(spec.passEnv ?? [])].sort();
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.env)) env[name] = cut(sha256Hex(value));
  const values: Record<string, ShownValue> = {};
  for (const [name, value] of Object.entries(request.values)) values[name] = shown(value);
  const image = spec.image ?? null;

  const hashes: Record<PartName, string> = {
    command: hashJson({ name: spec.name, cmds: spec.cmds }),
    outputs: hashJson(outputs),
    env: hashJson({ env: spec.env, passEnv }),
    values: hashJson(request.values),
    image: hashJson(image),
    inputs: hashJson(inputs),
    items: hashJson(items),
    deps: hashJson(deps),
  };
  const detail: CacheDetail = { name: spec.name, cmds: spec.cmds.map((c) => cut(sha256Hex(c))), outputs, env, passEnv, values, image, inputs, items: itemsShown, deps: depHashes };
  const stored = {} as Record<PartName, string>;
  for (const p of PART_NAMES) stored[p] = cut(hashes[p]);
  return { key: keyOfHashes(hashes, request.owner), parts: { v: CACHE_RECIPE, ...stored, detail } };
}

/**
 * The key from the parts' whole hashes (other members of `hashes` are left out): SHA-256 of the
 * canonical JSON of `{v, owner, command, …, deps}`. The owner scopes the cache: an attempt is reused
 * only by tasks of the same owner. Another user who ran the "same" tool may have run it with other
 * passed-through variables (a `PATH` whose `bwa` is their own: those values are not in the key), so
 * their outputs are never handed to someone else.
 */
export function keyOfHashes(hashes: Record<PartName, string>, owner = ''): string {
  const form: Record<string, Json> = { v: CACHE_RECIPE, owner };
  for (const p of PART_NAMES) form[p] = hashes[p];
  return sha256Hex(canonicalJson(form));
}

/**
 * Reads `tool_runs.cache_parts`.
 * @returns the parts, an `Unkeyed` record, or undefined for null, text that is not JSON, or a
 *   record of another recipe (an older or newer toolflow's: its parts cannot be compared).
 */
export function parseCacheParts(text: string | null | undefined): CacheParts | Unkeyed | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as Partial<CacheParts & Unkeyed> | null;
    if (parsed === null || typeof parsed !== 'object' || parsed.v !== CACHE_RECIPE) return undefined;
    if (typeof parsed.none === 'string') return parsed as Unkeyed;
    return PART_NAMES.every((p) => typeof parsed[p] === 'string') && typeof parsed.detail === 'object' ? (parsed as CacheParts) : undefined;
  } catch {
    return undefined;
  }
}
