/**
 * The normalized workflow model: what the loader produces from a workflow file once it is valid.
 * Units are fixed here: cpu in millicores, memory and disk in bytes.
 */

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
  /** Files (relative to the tool's work dir) that must exist when the tool exits 0. */
  outputs: string[];
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

/** One named input file of a workflow. */
export interface InputSpec {
  name: string;
  required: boolean;
  description: string;
}

/** A valid workflow. */
export interface WorkflowSpec {
  name: string;
  description: string;
  inputs: InputSpec[];
  tools: ToolSpec[];
}
