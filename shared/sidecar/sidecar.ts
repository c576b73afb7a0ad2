/**
 * `toolflow sidecar`'s work (the design note, "Sidecar"), beside the tool container in an attempt's
 * Pod, through the shared folder's files (`pod-layout.ts`):
 *
 * 1. no `ready`: stage the inputs and dependencies (`staging.ts`), write `command.sh`
 *    (`podCommandScript`, container paths under the folder), then `ready`. A failure writes `abort`
 *    (the message, for the wrapper to print) and reports Exit with `launchError` naming the object;
 *    a full disk (ENOSPC) reports `diskFull` instead, as the local executor does, so the rerun
 *    policy can give the attempt more disk. Staged files are removed then, freeing what they took;
 * 2. `started` → Start (`at` from the file); then a Keepalive every `keepaliveSeconds` with the
 *    wrapper's latest `mem` reading (null when absent);
 * 3. `exit` (noticed through an inotify watch on the folder, or the poll) → upload the declared
 *    outputs to `attemptObjectPrefix(task, tool, attempt)`, then Exit: the code, OOM kills, peak and cpu time from `exit`, `missingOutputs` (exit 0 only:
 *    declared outputs absent, not regular files, or outside the work dir, the latter two named in
 *    `evidence`), `outputs` (exit 0 with none missing: each declared output's size and SHA-256, as
 *    the object store computed them while storing it), the stderr tail (`STDERR_TAIL_BYTES`, for a failure or an OOM kill), `diskFull` for
 *    a failure on a full volume (`fullFilesystem`), `memLimitKind: 'cgroup'` when the wrapper could
 *    read its cgroup's counters; then both logs are uploaded there too (after the Exit, so the
 *    dependents' Jobs do not wait for them), then `reported`.
 *
 * Reports go out one at a time in order (a Keepalive is skipped while another report is in flight);
 * `report` retries by itself, and an outcome other than `accepted` is logged and changes nothing
 * else (`reported` is written after a given-up Exit too: the wrapper must end). Restart-safe: a
 * restarted sidecar (the kubelet restarts a native sidecar in place) reads the folder and carries on:
 * `reported` → nothing to do; `abort` → Exit again; `ready` → no staging; `started` → Start again;
 * `exit` → uploads and Exit again (every resend is idempotent for the work manager). An abort through
 * `signal` before `exit` (SIGTERM: the Pod is going away) uploads the logs there are and sends no Exit;
 * once `exit` is seen the sidecar finishes regardless (the kubelet's grace period bounds it).
 * @throws only for an upload the object store refuses `STORE_TRIES` times: the CLI then exits 1 and
 *   the kubelet's restart resumes at `exit`.
 */
import { maskSecretsInText } from '../runtime/log.js';
import { lstatSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ExitDetails, OutputRecord } from '../events/catalog.js';
import type { AttemptRequest, ToolReport } from '../executor/executor.js';
import { filesystemState, fullFilesystem, isNoSpace } from '../executor/local/disk-check.js';
import { STDERR_TAIL_BYTES } from '../executor/local/local-executor.js';
import type { ObjectStore } from '../objects/object-store.js';
import type { SendOutcome } from '../reports/report-client.js';
import { podCommandScript } from './pod-command.js';
import { openInside, present, readHandOver, tailOf, writeHandOver, type NotOpened } from './pod-files.js';
import { attemptObjectPrefix, outputSegments, PodFile } from './pod-layout.js';
import { removeTree, stageAttempt, withStoreRetries } from './staging.js';


/** Options of `runSidecar`. */
export interface SidecarOptions {
  /** The shared folder, as both containers see it (`$TOOLFLOW_POD_DIR`). */
  podDir: string;
  request: AttemptRequest;
  objects: ObjectStore;
  /** Delivers one report (retrying as it sees fit); should not throw (a throw counts as given up). */
  report: (r: ToolReport) => Promise<SendOutcome>;
  /** Seconds between keepalives (`TOOLFLOW_KEEPALIVE_SECONDS`). */
  keepaliveSeconds: number;
  log: Logger;
  /** Aborted on SIGTERM. */
  signal: AbortSignal;
  /** Milliseconds between looks at the folder; default 100. */
  pollMs?: number;
}

/** Parsed `exit`: `<code> <oom kills|-> <peak|-> [<cpu µs|->]`. */
interface ExitFile {
  exitCode: number;
  oomKills: number | null;
  peak: number | null;
  /** Cpu time of the tool container since the tool started, µs; null when not measured (or an older wrapper's three fields). */
  cpuUsec: number | null;
}

/** `exit`'s text parsed strictly; undefined when it is not the wrapper's line. */
export function parseExitFile(text: string | undefined): ExitFile | undefined {
  const m = /^(\d{1,3}) (\d{1,18}|-) (\d{1,19}|-)(?: (\d{1,18}|-))?\n?$/.exec(text ?? '');
  if (!m) return undefined;
  const num = (s: string | undefined) => (s === undefined || s === '-' ? null : Number(s));
  return { exitCode: Number(m[1]), oomKills: num(m[2]!), peak: num(m[3]!), cpuUsec: num(m[4]) };
}

/** A whole number of bytes or seconds from a hand-over file (`mem`, `started`); undefined otherwise. */
function numberIn(text: string | undefined): number | undefined {
  const m = /^(\d{1,19})\n?$/.exec(text ?? '');
  return m ? Number(m[1]) : undefined;
}

/**
 * Runs the sidecar for one attempt until its Exit is reported (or, after `signal`, its logs are up).
 * @throws Error when an upload fails `STORE_TRIES` times (see the module comment).
 */
export async function runSidecar(o: SidecarOptions): Promise<void> {
  await new SidecarRun(o).run();
}

class SidecarRun {
  private readonly pod: string;
  private readonly work: string;
  private readonly prefix: string;
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;

  constructor(private readonly o: SidecarOptions) {
    this.pod = o.podDir;
    this.work = join(o.podDir, PodFile.work);
    const { taskId, tool, attempt } = o.request;
    this.prefix = attemptObjectPrefix(taskId, tool, attempt);
  }

  async run(): Promise<void> {
    const { log } = this.o;
    if (present(this.pod, PodFile.reported)) {
      log.info('the attempt was reported already; nothing to do');
      return;
    }
    if (!present(this.pod, PodFile.ready)) {
      if (present(this.pod, PodFile.abort)) return this.reportAbortAgain();
      if (!(await this.stage())) return;
    }
    if (!(await this.waitFor([PodFile.started, PodFile.exit]))) return this.stopBeforeExit();
    const startedAt = this.startedAt();
    if (startedAt !== undefined) void this.send({ kind: 'start', ...this.ref(), at: startedAt });
    const keepalive = setInterval(() => this.keepalive(), this.o.keepaliveSeconds * 1000);
    try {
      if (!(await this.waitFor([PodFile.exit]))) return await this.stopBeforeExit();
    } finally {
      clearInterval(keepalive);
    }
    await this.finish();
  }

  private ref() {
    const { taskId, tool, attempt } = this.o.request;
    return { taskId, tool, attempt };
  }

  /** Queues a report behind the ones before it. Resolves once it is delivered (or given up). */
  private send(r: ToolReport): Promise<void> {
    this.inFlight++;
    const delivered = this.chain.then(async () => {
      let outcome: SendOutcome;
      try {
        outcome = await this.o.report(r);
      } catch (err) {
        this.o.log.warn({ kind: r.kind, err: (err as Error).message }, 'report failed');
        return;
      }
      if (outcome === 'accepted') this.o.log.debug({ kind: r.kind }, 'report accepted');
      else this.o.log.warn({ kind: r.kind, outcome }, `${r.kind} report not accepted (${outcome})`);
    });
    this.chain = delivered.finally(() => this.inFlight--);
    return this.chain;
  }

  private keepalive(): void {
    if (this.inFlight > 0) return; // the work manager is slow or away: one report at a time
    void this.send({ kind: 'keepalive', ...this.ref(), at: Date.now(), memBytes: numberIn(readHandOver(this.pod, PodFile.mem)) ?? null });
  }

  /**
   * Waits until one of `names` is in the folder: woken by an inotify watch on the folder (the
   * wrapper renames each file into place), and polled every `pollMs` as well, for filesystems
   * where watching does not work. @returns false when `signal` came first.
   */
  private async waitFor(names: string[]): Promise<boolean> {
    const { signal } = this.o;
    const pollMs = this.o.pollMs ?? 100;
    let wake: (() => void) | undefined;
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(this.pod, () => wake?.());
      watcher.on('error', () => undefined); // the poll goes on
    } catch {
      watcher = undefined;
    }
    try {
      while (!signal.aborted) {
        if (names.some((n) => present(this.pod, n))) return true;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            wake = undefined;
            resolve();
          };
          const timer = setTimeout(done, pollMs);
          wake = done;
          signal.addEventListener('abort', done, { once: true });
        });
      }
      return false;
    } finally {
      watcher?.close();
    }
  }

  /** `started`'s time, epoch ms: its seconds, to the millisecond by its mtime when the two agree. */
  private startedAt(): number | undefined {
    const text = readHandOver(this.pod, PodFile.started);
    if (text === undefined) return undefined;
    const mtime = mtimeOf(this.pod, PodFile.started);
    const seconds = numberIn(text);
    if (seconds === undefined) return mtime ?? Date.now();
    return mtime !== undefined && Math.floor(mtime / 1000) === seconds ? mtime : seconds * 1000;
  }

  /** Stages and writes `command.sh` and `ready`. @returns false when the attempt cannot start (reported) or `signal` came. */
  private async stage(): Promise<boolean> {
    const { request, objects, signal, log } = this.o;
    try {
      const paths = await stageAttempt(this.pod, request, objects, signal);
      writeHandOver(this.pod, PodFile.command, podCommandScript(request, paths));
      writeHandOver(this.pod, PodFile.ready, '');
      log.info({ inputs: Object.keys(paths.inputs).length, deps: Object.keys(paths.deps).length }, 'staged; the tool may start');
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      const message = (err as Error).message;
      log.error({ err: message }, 'staging failed; the tool will not start');
      for (const name of [PodFile.inputs, PodFile.deps, PodFile.work]) removeTree(join(this.pod, name));
      const base = { exitCode: null, signal: null, oomKilled: false, peakMemBytes: null, missingOutputs: [] };
      const details: ExitDetails = isNoSpace(err)
        ? { ...base, stderrTail: `toolflow: staging failed: ${message}\n`, diskFull: filesystemState(this.pod) ?? { path: this.pod, freeBytes: 0, totalBytes: 0, freeInodes: null } }
        : { ...base, stderrTail: '', launchError: `staging failed: ${message}` };
      const at = Date.now();
      try {
        writeHandOver(this.pod, ABORT_DETAILS, JSON.stringify({ at, details }));
        writeHandOver(this.pod, PodFile.abort, `staging failed: ${message}\n`);
      } catch (writeErr) {
        log.error({ err: (writeErr as Error).message }, 'could not write abort: the tool container waits for ready until the Pod is deleted');
      }
      await this.sendExit(details, at);
      return false;
    }
  }

  /** Restarted after a staging failure: the same Exit again. */
  private async reportAbortAgain(): Promise<void> {
    const kept = keptAbort(readHandOver(this.pod, ABORT_DETAILS));
    const message = (readHandOver(this.pod, PodFile.abort) ?? '').trim() || 'staging failed';
    const details = kept?.details ?? { exitCode: null, signal: null, oomKilled: false, peakMemBytes: null, missingOutputs: [], stderrTail: '', launchError: message };
    const at = typeof kept?.at === 'number' ? kept.at : (mtimeOf(this.pod, PodFile.abort) ?? Date.now());
    await this.sendExit(details, at);
  }

  private async sendExit(details: ExitDetails, at: number, afterSend?: () => Promise<void>): Promise<void> {
    await this.send({ kind: 'exit', ...this.ref(), at, ...details });
    await afterSend?.();
    writeHandOver(this.pod, PodFile.reported, '');
    this.o.log.info({ exitCode: details.exitCode }, 'exit reported');
  }

  /**
   * Uploads one file of the work dir. @returns its size and SHA-256 as stored, or why not.
   * @throws the store's error after `STORE_TRIES` tries.
   */
  private async upload(segments: string[]): Promise<{ bytes: number; sha256: string } | NotOpened> {
    const file = openInside(this.work, segments);
    if (typeof file === 'string') return file;
    try {
      const stored = await withStoreRetries(() => this.o.objects.putFile(this.prefix + segments.join('/'), file.path));
      return { bytes: stored.size, sha256: stored.sha256 };
    } finally {
      file.close();
    }
  }

  /** Before `exit`, on SIGTERM: the logs there are, so people can read what happened; no Exit. */
  private async stopBeforeExit(): Promise<void> {
    for (const name of [LOG_STDOUT, LOG_STDERR]) {
      try {
        await this.upload([name]);
      } catch (err) {
        this.o.log.warn({ file: name, err: (err as Error).message }, 'could not upload a log');
      }
    }
    this.o.log.info('stopped before the tool ended: logs uploaded, no exit report (the Pod watch reports it)');
  }

  private async finish(): Promise<void> {
    const { request, log } = this.o;
    if (present(this.pod, PodFile.terminated)) {
      // Stopped from outside (the Pod deleted or evicted, or stopped by toolflow): its exit code is
      // SIGTERM's, not the tool's. The work manager's Pod watch decides from the Pod's status.
      await this.stopBeforeExit();
      writeHandOver(this.pod, PodFile.reported, '');
      return;
    }
    const exit = parseExitFile(readHandOver(this.pod, PodFile.exit));
    const at = mtimeOf(this.pod, PodFile.exit) ?? Date.now();
    const ok = exit?.exitCode === 0;
    const missing: string[] = [];
    const notes: string[] = [];
    const done = new Map<string, { bytes: number; sha256: string }>();
    const outputs: OutputRecord[] = [];
    for (const output of new Set(request.spec.outputs)) {
      let segments: string[];
      try {
        segments = outputSegments(output);
      } catch {
        missing.push(output);
        notes.push(`output ${output} refused: not a path inside the work dir`);
        continue;
      }
      const key = segments.join('/');
      const result = done.get(key) ?? (await this.upload(segments));
      if (typeof result !== 'string') {
        done.set(key, result);
        outputs.push({ path: output, ...result });
        continue;
      }
      missing.push(output);
      if (result !== 'absent') notes.push(`output ${output} not uploaded: ${result}`);
    }
    const oomKills = exit?.oomKills ?? null;
    let stderrTail = '';
    if (!ok || (oomKills ?? 0) > 0) {
      const file = openInside(this.work, [LOG_STDERR]);
      if (typeof file !== 'string') {
        try {
          stderrTail = maskSecretsInText(tailOf(file, STDERR_TAIL_BYTES)); // a credential the tool printed: masked, as in the logs
        } finally {
          file.close();
        }
      }
    }
    const diskFull = ok ? null : fullFilesystem([this.pod]);
    if (!exit) notes.push('the exit file of the tool container is not the wrapper\'s: the tool wrote it itself?');
    const counters = exit !== undefined && (exit.oomKills !== null || exit.peak !== null);
    log.info({ exitCode: exit?.exitCode ?? null, missing: ok ? missing.length : 0 }, 'tool ended; outputs uploaded');
    await this.sendExit(
      {
        exitCode: exit?.exitCode ?? null,
        signal: null,
        oomKilled: (oomKills ?? 0) > 0,
        ...(oomKills !== null ? { oomKills } : {}),
        peakMemBytes: exit?.peak ?? null,
        ...(exit?.cpuUsec != null ? { cpuTimeMs: Math.round(exit.cpuUsec / 1000) } : {}),
        ...(counters ? { memLimitKind: 'cgroup' as const } : {}),
        stderrTail,
        missingOutputs: ok ? missing : [],
        ...(diskFull ? { diskFull } : {}),
        ...(notes.length > 0 && (ok || !exit) ? { evidence: `sidecar: ${notes.join('; ')}` } : {}),
        ...(ok && missing.length === 0 ? { outputs } : {}),
      },
      at,
      // The logs after the Exit: the dependents need the outputs (uploaded above), not the logs, so
      // the next tool's Job is not held back by them; the Pod still ends only once they are up.
      async () => {
        for (const name of [LOG_STDOUT, LOG_STDERR]) if (!done.has(name)) await this.upload([name]);
      },
    );
  }
}

/** The sidecar's own record of a staging failure's Exit (JSON `{ at, details }`), for a restarted sidecar to send again. */
const ABORT_DETAILS = '.abort.json';
const LOG_STDOUT = 'stdout.log';
const LOG_STDERR = 'stderr.log';

/** `.abort.json` parsed; null when absent or unreadable (the Exit is then rebuilt from `abort`). */
function keptAbort(text: string | undefined): { at?: unknown; details?: ExitDetails } | null {
  try {
    return JSON.parse(text ?? 'null') as { at?: unknown; details?: ExitDetails } | null;
  } catch {
    return null;
  }
}

/** A hand-over file's mtime, epoch ms; undefined when absent. */
function mtimeOf(dir: string, name: string): number | undefined {
  try {
    return Math.floor(lstatSync(join(dir, name)).mtimeMs);
  } catch {
    return undefined;
  }
}
