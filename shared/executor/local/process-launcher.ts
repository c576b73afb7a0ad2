/**
 * Starting tool processes cheaply. Creating a process is the main cost of a short tool: Node's
 * `child_process.spawn` forks the whole Node.js process, execs, and blocks the event loop until the
 * exec is done (8-14 ms a tool on the 2-core machines here). Instead, tools run in a pool of
 * long-lived bash workers: a worker forks a subshell for each attempt, which sources the attempt's
 * `command.sh` — one fork of a small process and no exec (about 4 ms here), and Node
 * only writes a line to a pipe.
 *
 * A worker runs one attempt at a time, in a background job of its own (`set -m`), so each attempt
 * has its own process group (its pid) and `kill(-pid)` reaches everything it started. The worker
 * reports `start PID` and then `exit STATUS` (`$?` of `wait`: the exit code, or 128 + the signal
 * number when the attempt's shell was killed, as bash and Kubernetes report it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One attempt to start: its work dir (holding `command.sh`) and its limits. */
export interface LaunchRequest {
  dir: string;
  /** The cgroup's `cgroup.procs` file to join first, or null. */
  cgroupProcs: string | null;
  /** `ulimit -v` value in KiB, or null. */
  ulimitKib: number | null;
}

/** How an attempt's shell ended: `exitCode` as `$?` reports it. */
export interface ProcessEnd {
  exitCode: number | null;
  signal: string | null;
}

/** A started attempt. `pid` is also its process group id. */
export interface Launched {
  pid: number;
  ended: Promise<ProcessEnd>;
}

/**
 * The worker's program. Request lines are `DIR<US>CGROUP_PROCS<US>ULIMIT_KIB`, US being the ASCII
 * unit separator 0x1F (not whitespace, so `read` keeps empty fields; a tab would collapse them). The attempt's subshell joins the cgroup before anything else, leaves job control, moves to
 * the work dir, redirects its output to the log files, and sources `command.sh`.
 */
export const WORKER_SCRIPT = `set -m
while IFS=$'\\x1f' read -r __tf_dir __tf_procs __tf_ulimit; do
  (
    set +m
    if [ -n "$__tf_procs" ]; then echo "$BASHPID" > "$__tf_procs" || exit 125; fi
    if [ -n "$__tf_ulimit" ]; then ulimit -v "$__tf_ulimit" || exit 125; fi
    cd "$__tf_dir" || exit 126
    exec >stdout.log 2>stderr.log </dev/null
    unset __tf_dir __tf_procs __tf_ulimit
    . ./command.sh
  ) &
  echo "start $!"
  wait "$!"
  echo "exit $?"
done
`;

interface Worker {
  process: ChildProcess;
  current: { started: (pid: number) => void; ended: (e: ProcessEnd) => void; failed: (e: Error) => void } | undefined;
}

/** A pool of bash workers; it grows to the number of attempts running at once. */
export class ShellWorkerPool {
  private readonly idle: Worker[] = [];
  private readonly all = new Set<Worker>();

  /**
   * @param env the workers' own environment (attempts set theirs in `command.sh`).
   */
  constructor(private readonly env: Record<string, string>) {}

  /**
   * Starts an attempt.
   * @throws when a path contains a newline or 0x1F (it could not be sent safely), or the worker died.
   */
  launch(r: LaunchRequest): Promise<Launched> {
    const fields = [r.dir, r.cgroupProcs ?? '', r.ulimitKib === null ? '' : String(r.ulimitKib)];
    if (fields.some((f) => f.includes('\x1f') || /[\n\r]/.test(f))) return Promise.reject(new Error(`work dir or cgroup path contains a newline or 0x1F: ${JSON.stringify(r.dir)}`));
    const worker = this.idle.pop() ?? this.spawnWorker();
    return new Promise((resolve, reject) => {
      let end!: (e: ProcessEnd) => void;
      const ended = new Promise<ProcessEnd>((res) => (end = res));
      worker.current = { started: (pid) => resolve({ pid, ended }), ended: (e) => end(e), failed: reject };
      worker.process.stdin!.write(fields.join('\x1f') + '\n');
    });
  }

  /** Ends every worker once its attempt (if any) is over. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.all].map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.process.exitCode !== null || w.process.signalCode !== null) return resolve();
            w.process.once('exit', () => resolve());
            w.process.stdin!.end();
          }),
      ),
    );
  }

  private spawnWorker(): Worker {
    // --norc/--noprofile: bash reads ~/.bashrc when its stdin is a socket, as Node's pipes are.
    // detached: a terminal's Ctrl-C (sent to our whole process group) must not kill the workers under
    // running tools; toolflow stops tools itself.
    const child = spawn('bash', ['--norc', '--noprofile', '-c', WORKER_SCRIPT], { cwd: '/', stdio: ['pipe', 'pipe', 'ignore'], env: this.env, detached: true });
    const worker: Worker = { process: child, current: undefined };
    this.all.add(worker);
    child.stdin!.on('error', () => undefined);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const [kind, value] = line.split(' ');
      const cur = worker.current;
      if (!cur) return;
      if (kind === 'start') cur.started(Number(value));
      else if (kind === 'exit') {
        worker.current = undefined;
        this.idle.push(worker);
        cur.ended({ exitCode: Number(value), signal: null });
      }
    });
    child.once('exit', () => {
      this.all.delete(worker);
      const i = this.idle.indexOf(worker);
      if (i >= 0) this.idle.splice(i, 1);
      const cur = worker.current;
      worker.current = undefined;
      if (cur) {
        // The worker died under a running attempt: nothing reports on it any more.
        cur.failed(new Error('the bash worker exited'));
        cur.ended({ exitCode: null, signal: 'SIGKILL' });
      }
    });
    return worker;
  }
}
