/**
 * The normalized workflow model: what the loader produces from a workflow file once it is valid.
 * Units are fixed here: cpu in millicores, memory and disk in bytes.
 */
import type { FileFormat } from '../uploads/upload-doc.js';

/** Why a tool attempt failed (docs/architecture.md, "Failure classification and reruns"). */
export type FailureReason = 'oom' | 'disk' | 'timeout' | 'lost' | 'undelivered' | 'config' | 'exit' | 'cancelled';

/** Type of a tool option; values are checked against it when a run is submitted. */
export type OptionType = 'string' | 'int' | 'float' | 'bool';

/** A typed option value. */
export type OptionValue = string | number | boolean;

/** One option of a tool (design doc: name, desc, type, required; extended with default, enum, min, max). */
export interface OptionSpec {
  name: string;
  desc: string;
  type: OptionType;
  required: boolean;
  default?: OptionValue;
  enum?: OptionValue[];
  min?: number;
  max?: number;
}

/** Rerun policy of a tool. `maxAttempts` counts every attempt, the first included. */
export interface RetryPolicy {
  /** @asType integer */
  maxAttempts: number;
  on: FailureReason[];
  /** Factor (> 1) applied to the resource that ran out. */
  grow: number;
  /** Upper bound for memory, bytes. @asType integer */
  capMemBytes: number;
  /** Upper bound for disk, bytes. @asType integer */
  capDiskBytes: number;
  /** Upper bound for the time limit, seconds (reruns after a `timeout` grow it up to this); default 7 days, never below the tool's time. @asType integer */
  capTimeSeconds: number;
}

/** One tool of a workflow, normalized. */
export interface ToolSpec {
  name: string;
  description: string;
  /** Free text of the design doc's `output` field. */
  output: string;
  /** @asType integer */
  cpuMillicores: number;
  /** @asType integer */
  memBytes: number;
  /** Ephemeral storage, bytes; null when the tool declares none. @asType integer @nullable */
  diskBytes: number | null;
  /**
   * Wall-clock limit of one attempt, whole seconds (>= 1), from its start (Nextflow's `time`,
   * Snakemake's `runtime`, Kubernetes' `activeDeadlineSeconds`), from the tool's `time` field
   * (`3600`, `90s`, `30m`, `2h`, `1d`, `1h30m`: see `parseDuration`); null when the tool declares none.
   * @asType integer
   * @nullable
   */
  timeSeconds: number | null;
  /** Container image for cluster mode; null when not given. */
  image: string | null;
  /**
   * Files (relative to the tool's work dir) that must exist when the tool exits 0: every declared
   * output, the named ones included (on a template, named paths may hold `{column}` placeholders;
   * on an instance they are resolved).
   */
  outputs: string[];
  /** Named outputs (issue 10): name → path, as declared (`{bam: "{sample}.bam"}`); `{}` for the list form. */
  namedOutputs: Record<string, string>;
  /** The samples or list input this tool runs once per item of; null: once. */
  scatter: string | null;
  /** Names of the named outputs published by `--outdir` (`publish: true` is all of them); null: not declared. */
  publish: string[] | null;
  /** On an instance of a scattered tool: where it came from. */
  instance?: InstanceOf;
  /** On a planned tool: its environment from items and dependencies (absent on templates and on tasks stored before issue 10). */
  bindings?: Binding[];
  /**
   * On a planned tool: the workflow-level inputs it gets, by name (every `file` input; a `samples`
   * input only when its commands reference `$TF_INPUT_<input>`; list inputs have no TF_INPUT);
   * absent (templates, older tasks): all.
   */
  inputs?: string[];
  /** Set when the plan capped the tool's cpu to what the executor has: what it asked for, millicores. @asType integer */
  requestedCpuMillicores?: number;
  /** Extra environment variables, passed literally. */
  env: Record<string, string>;
  /**
   * Names of variables passed through from toolflow's environment when set (the workflow's
   * `envvars`, then the tool's own, without duplicates, as Snakemake's `envvars` directive):
   * `LD_LIBRARY_PATH`, `CONDA_PREFIX`… Each is a shell identifier, never `TF_*`, `TOOLFLOW_*`, `AWS_*`
   * or a name containing SECRET, PASSWORD, TOKEN or CREDENTIAL (refused by the loader), and never
   * a name the tool's `env` sets (that value wins).
   */
  passEnv: string[];
  options: OptionSpec[];
  cmds: string[];
  /** Names of the tools this one runs after, without duplicates. */
  rely: string[];
  retry: RetryPolicy;
}

/** Type of a sample-sheet column (issue 10): option types, or `file` (a path, staged for the tool). */
export type ColumnType = OptionType | 'file';

/** One declared column of a sample sheet. */
export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** False: an empty cell is allowed (the variable is then empty). Default true. */
  required: boolean;
  /** `file` columns: what each cell's file must be, checked on its first bytes (shared/uploads/format-check.ts); absent: anything. */
  format?: FileFormat;
}

/**
 * One named input of a workflow: a file (`--input NAME=PATH`), a **sample sheet** (`samples`: a CSV
 * or TSV file with a header row, whose rows a tool may be scattered over) or a **list** (`list`:
 * values or files given as repeated `--input NAME=VALUE`, or `default`).
 */
export interface InputSpec {
  name: string;
  required: boolean;
  description: string;
  /** Default `file`. */
  type: 'file' | 'samples' | 'list';
  /** `samples`: the declared columns, in the order declared. */
  columns?: ColumnSpec[];
  /** `samples`: the column naming each row (instance names `tool[<key>]`); default the first column. */
  key?: string;
  /** `list`: what each item is; default `string`. */
  of?: 'string' | 'file';
  /** `list`: the items when none are given. */
  default?: string[];
  /**
   * `file`, and `list` of files: what the file (each item's) must be — fastq, fasta (plain or
   * gzip-compressed), gzip, bam or text — checked on its first bytes before the run starts
   * (shared/uploads/format-check.ts `checkFormat`); absent: anything.
   */
  format?: FileFormat;
}

/**
 * One item of a sample sheet or list, as read at submit (shared/spec/sample-sheet.ts).
 * `key` names the instance (`align[<key>]`); `fields` maps column names (`item` for a list) to the
 * cell's text; `files` maps file columns to the name of the stored input holding the file
 * (`<input>/<key>/<column>`: names with `/` are never `TF_INPUT_*` variables).
 */
export interface SheetItem {
  key: string;
  fields: Record<string, string>;
  files: Record<string, string>;
}

/** The items of every samples or list input, by input name, in file (or given) order. */
export type ScatterItems = Record<string, SheetItem[]>;

/**
 * One variable of an instance's environment, resolved by the planner (shared/spec/expand.ts):
 * - `value`: the text itself (TF_ITEM_<column>, TF_OUT_<name>);
 * - `input`: the staged path of that stored input (TF_ITEM_<file column>);
 * - `dir`: the attempt dir of that tool instance (TF_DEP_<tool>);
 * - `outputs`: files of those tool instances, each linked into this attempt's folder at its base
 *   name; the value is those base names joined by single spaces (TF_DEP_<tool>_<output>).
 */
export type Binding =
  | { env: string; value: string }
  | { env: string; input: string }
  | { env: string; dir: string }
  | { env: string; outputs: { tool: string; path: string }[] };

/** Where an instance of a scattered tool came from. */
export interface InstanceOf {
  /** The tool's name in the workflow (`align` for `align[A]`). */
  tool: string;
  /** The samples or list input it is scattered over. */
  input: string;
  /** The item's key (`A`). */
  key: string;
  /** 0-based position of the item. @asType integer */
  index: number;
}

/** A valid workflow. */
export interface WorkflowSpec {
  name: string;
  description: string;
  inputs: InputSpec[];
  tools: ToolSpec[];
}
