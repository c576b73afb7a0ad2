/**
 * The layout of a tool attempt's Pod in cluster mode, shared by the manifests (executor/kubernetes),
 * the tool container's wrapper and the sidecar. Both containers mount one `emptyDir` volume at
 * `POD_DIR`, and find it through the `TOOLFLOW_POD_DIR` environment variable (so the wrapper never
 * hard-codes a path). Every hand-over between the two containers is a file in it, written whole
 * (to a temporary name, then renamed), so a reader never sees half of one:
 *
 * | file | written by | meaning |
 * | --- | --- | --- |
 * | `command.sh` | sidecar | the tool's commands with its environment (POSIX sh) |
 * | `work/` | sidecar (made), tool | `TF_WORKDIR`: outputs, `stdout.log`, `stderr.log`; the files of `outputs` bindings at their base names (sidecar, read-only) |
 * | `inputs/<input>/<file>` | sidecar | the workflow's input files, staged from the object store (an item's file: `inputs/<input>/<key>/<column>/<file>`) |
 * | `deps/<tool>/<file>` | sidecar | each dependency's files (a planned tool: each tool of a `dir` binding), staged from the object store, read-only |
 * | `ready` | sidecar | staging done: the tool may start (the sidecar's startupProbe checks it) |
 * | `abort` | sidecar | staging failed: the tool must not run (the wrapper exits 127) |
 * | `started` | wrapper | the tool started; content: epoch seconds |
 * | `mem` | wrapper | memory in use by the tool container's cgroup, bytes (refreshed every few seconds) |
 * | `terminated` | wrapper | the tool was stopped by a SIGTERM to the tool container (the Pod going away): its exit is not its own |
 * | `exit` | wrapper | the tool ended; content: `<exit code> <oom kills or -> <peak bytes or -> <cpu µs or ->` (an older wrapper writes the first three) |
 * | `reported` | sidecar | outputs uploaded and the exit reported (or given up): the wrapper may end |
 */

/** Where the shared volume is mounted in both containers. */
export const POD_DIR = '/toolflow';
/** The environment variable holding `POD_DIR` in both containers. */
export const POD_DIR_ENV = 'TOOLFLOW_POD_DIR';
/** Name of the shared volume. */
export const POD_VOLUME = 'toolflow';
/** Name of the tool's container (exit codes are read from it by name, never from `containerStatuses[0]`). */
export const TOOL_CONTAINER = 'tool';
/** Name of the sidecar (a native sidecar: an init container with `restartPolicy: Always`). */
export const SIDECAR_CONTAINER = 'toolflow-sidecar';

/** File names inside `POD_DIR`. */
export const PodFile = {
  command: 'command.sh',
  work: 'work',
  inputs: 'inputs',
  deps: 'deps',
  ready: 'ready',
  abort: 'abort',
  started: 'started',
  mem: 'mem',
  exit: 'exit',
  terminated: 'terminated',
  reported: 'reported',
} as const;

/**
 * Object-store key prefix of one attempt's files in cluster mode (outputs and logs), ending in `/`:
 * `attempts/<task>/<tool>/attempt-<n>/`. Outputs keep their declared names below it; the logs are
 * `stdout.log` and `stderr.log`.
 */
export function attemptObjectPrefix(taskId: string, tool: string, attempt: number): string {
  return `attempts/${taskId}/${tool}/attempt-${attempt}/`;
}

/**
 * The segments of a declared output (`ToolSpec.outputs`: a path relative to the work dir), with
 * empty and `.` segments dropped: `out/./a.txt` → `["out", "a.txt"]`. The sidecar uploads the output
 * to `attemptObjectPrefix(…) + segments.join("/")` and stages a dependency's output at
 * `deps/<tool>/<segments…>`; the executor heads the same key. Outputs were checked at submit
 * (`checkRelativePath`); this checks again, since the name becomes a key and a path here.
 * @throws Error for an absolute path, a `..` segment, a NUL or backslash, or no segment at all.
 */
export function outputSegments(output: string): string[] {
  const segments = output.split('/').filter((s) => s !== '' && s !== '.');
  if (output.startsWith('/') || output.includes('\0') || output.includes('\\') || segments.length === 0 || segments.includes('..')) {
    throw new Error(`output ${JSON.stringify(output)} is not a path inside the work dir (relative, without "..")`);
  }
  return segments;
}

/** Object key of one of an attempt's files: `attemptObjectPrefix(…)` + the output's segments (`outputSegments`). @throws as `outputSegments`. */
export function attemptObjectKey(taskId: string, tool: string, attempt: number, output: string): string {
  return attemptObjectPrefix(taskId, tool, attempt) + outputSegments(output).join('/');
}
