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
 * reports `start PID`, then the output of bash's `times` builtin (two lines, `0m0.002s 0m0.000s`:
 * the worker's own user and system time, then that of its waited-for children, from
 * getrusage(RUSAGE_CHILDREN)), then `exit STATUS` (`$?` of `wait`: the exit code, or 128 + the
 * signal number when the attempt's shell was killed, as bash and Kubernetes report it). The rise of
 * the children's time since the worker's previous attempt is the attempt's cpu time
 * (`ProcessEnd.cpuTimeMs`): Node's `child_process` gives no rusage of a child (its `ChildProcess`
 * has none, and the attempt's shell is the worker's child, not Node's), and a worker runs one
 * attempt at a time. It counts the processes the attempt's shell waited for, not those it left
 * running (a cgroup's `cpu.stat` counts those too: `memory-limit.ts`).
 *
 * **Tools cannot kill their driver through `$PPID`.** A subshell keeps its shell's `$PPID`, so a
 * tool's `$PPID` is its worker's parent. Each worker is therefore started by a small keeper process
 * (`bash`, which starts the worker and waits for it) rather than by Node: a tool's `$PPID` is that
 * keeper, and `kill -9 $PPID` ends only the keeper. The worker keeps its pipes to Node (which
 * follows it by the end of its stdout, not by the keeper's exit) and finishes the attempt; a worker
 * whose keeper is gone is retired after that attempt, so no later tool sees a `$PPID` that the
 * system may have given to another process meanwhile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PID_FILE } from './leftover.js';

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
  /**
   * User + system cpu time of the processes the attempt's shell waited for, ms (1 ms resolution,
   * from bash's `times`), or null when not read (the worker died, or printed no times).
   */
  cpuTimeMs: number | null;
}

/** A started attempt. `pid` is also its process group id. */
export interface Launched {
  pid: number;
  ended: Promise<ProcessEnd>;
}

/**
 * The worker's program. Request lines are `DIR<US>CGROUP_PROCS<US>ULIMIT_KIB`, US being the ASCII
 * unit separator 0x1F (not whitespace, so `read` keeps empty fields; a tab would collapse them). The
 * attempt's subshell joins the cgroup before anything else, leaves job control, moves to the work
 * dir, writes the attempt's pid file (`leftover.ts`: the boot id, the cgroup and the shell's own
 * `/proc/$BASHPID/stat` line, which holds its pid, also its process group, and its start time;
 * builtins only, so no fork, and a failed write, on a full disk, changes nothing), redirects its
 * output to the log files, and sources `command.sh`.
 */
export const WORKER_SCRIPT = `set -m
read -r __tf_boot < /proc/sys/kernel/random/boot_id 2>/dev/null || __tf_boot=-
while IFS=$'\x1f' read -r __tf_dir __tf_procs __tf_ulimit; do
  (
    set +m
    if [ -n "$__tf_procs" ]; then echo "$BASHPID" > "$__tf_procs" || exit 125; fi
    if [ -n "$__tf_ulimit" ]; then ulimit -v "$__tf_ulimit" || exit 125; fi
    cd "$__tf_dir" || exit 126
    if read -r __tf_stat < /proc/$BASHPID/stat 2>/dev/null; then
      { printf '%s\\n%s\\n%s\\n' "$__tf_boot" "\${__tf_procs%/cgroup.procs}" "$__tf_stat" > ${PID_FILE}; } 2>/dev/null
    fi
    exec >stdout.log 2>stderr.log </dev/null
    unset __tf_dir __tf_procs __tf_ulimit __tf_stat __tf_boot
    . ./command.sh
  ) &
  echo "start $!"
  wait "$!"
  __tf_rc=$?
  times
  echo "exit $__tf_rc"
done
`;

/**
 * The keeper's program (`$1` is the worker's program): starts the worker with the keeper's own stdin
 * (a background job of a non-interactive shell would read /dev/null otherwise) and waits for it.
 */
export const KEEPER_SCRIPT = 'bash --norc --noprofile -c "$1" toolflow-worker <&0 &\nwait "$!"\n';

/**
 * Milliseconds of one line of bash's `times` (`0m1.234s 0m0.050s`: user, then system; the decimal
 * point is the locale's, so a comma is taken too), summed; null for any other line.
 */
export function parseTimesLine(line: string): number | null {
  const m = /^(\d+)m(\d+)[.,](\d{3})s (\d+)m(\d+)[.,](\d{3})s$/.exec(line);
  if (!m) return null;
  const n = m.slice(1).map(Number);
  return (n[0]! * 60 + n[1]!) * 1000 + n[2]! + (n[3]! * 60 + n[4]!) * 1000 + n[5]!;
}

interface Worker {
  /** The keeper process (Node's child); the worker is its child. */
  process: ChildProcess;
  /** Cpu time of the worker's children as its last `times` said, ms (0 before any attempt). */
  childrenMs: number;
  /** The last `times` line read during the current attempt (the children's is the second). */
  timesMs: number | null;
  current: { started: (pid: number) => void; ended: (e: ProcessEnd) => void; failed: (e: Error) => void } | undefined;
  /** The keeper is gone: run no further attempt on this worker. */
  retiring: boolean;
  /** The worker is gone (its stdout closed). */
  gone: boolean;
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
    let worker = this.idle.pop();
    while (worker?.retiring) worker = this.idle.pop();
    worker ??= this.spawnWorker();
    const w = worker;
    return new Promise((resolve, reject) => {
      let end!: (e: ProcessEnd) => void;
      const ended = new Promise<ProcessEnd>((res) => (end = res));
      w.current = { started: (pid) => resolve({ pid, ended }), ended: (e) => end(e), failed: reject };
      w.process.stdin!.write(fields.join('\x1f') + '\n');
    });
  }

  /** Ends every worker once its attempt (if any) is over. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.all].map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.gone) return resolve();
            w.process.once('close', () => resolve());
            w.process.stdin!.end();
          }),
      ),
    );
  }

  private spawnWorker(): Worker {
    // --norc/--noprofile: bash reads ~/.bashrc when its stdin is a socket, as Node's pipes are.
    // detached: a terminal's Ctrl-C (sent to our whole process group) must not kill the workers under
    // running tools; toolflow stops tools itself. The keeper's session and group are the worker's too.
    const child = spawn('bash', ['--norc', '--noprofile', '-c', KEEPER_SCRIPT, 'toolflow-keeper', WORKER_SCRIPT], {
      cwd: '/',
      stdio: ['pipe', 'pipe', 'ignore'],
      env: this.env,
      detached: true,
    });
    const worker: Worker = { process: child, childrenMs: 0, timesMs: null, current: undefined, retiring: false, gone: false };
    this.all.add(worker);
    child.stdin!.on('error', () => undefined);
    child.on('error', () => undefined); // a failed spawn also ends in 'close', handled below
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const [kind, value] = line.split(' ');
      const cur = worker.current;
      if (!cur) return;
      if (kind === 'start') {
        worker.timesMs = null;
        cur.started(Number(value));
      } else if (kind === 'exit') {
        worker.current = undefined;
        // The second `times` line (children) came last; the rise since the last attempt is this one's.
        const total = worker.timesMs;
        const cpuTimeMs = total === null ? null : Math.max(0, total - worker.childrenMs);
        if (total !== null) worker.childrenMs = total;
        if (worker.retiring) child.stdin!.end();
        else this.idle.push(worker);
        cur.ended({ exitCode: Number(value), signal: null, cpuTimeMs });
      } else {
        const ms = parseTimesLine(line);
        if (ms !== null) worker.timesMs = ms;
      }
    });
    // The keeper ended (a tool's `kill $PPID`, or the worker ended first): the worker, if it still
    // runs, finishes its attempt and is then let go.
    child.once('exit', () => {
      worker.retiring = true;
      if (!worker.current) child.stdin!.end();
    });
    // Every holder of the worker's stdout is gone: the keeper and the worker have ended.
    child.once('close', () => {
      worker.gone = true;
      this.all.delete(worker);
      const i = this.idle.indexOf(worker);
      if (i >= 0) this.idle.splice(i, 1);
      const cur = worker.current;
      worker.current = undefined;
      if (cur) {
        // The worker died under a running attempt: nothing reports on it any more.
        cur.failed(new Error('the bash worker exited'));
        cur.ended({ exitCode: null, signal: 'SIGKILL', cpuTimeMs: null });
      }
    });
    return worker;
  }
}
