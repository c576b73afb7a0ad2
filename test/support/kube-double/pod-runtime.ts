/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): one Pod on the double's node, run as local
 * processes the way the kubelet runs a Pod (pkg/kubelet/kuberuntime):
 * - init containers in order, each to completion (a failure fails the Pod under restartPolicy
 *   Never, else it is retried); a native sidecar (`restartPolicy: Always`) is started and the next
 *   container waits for its startupProbe to pass (or for nothing, without one); a sidecar that
 *   exits before the Pod ends is restarted (`restartCount` + 1);
 * - regular containers side by side, restarted per the Pod's restartPolicy;
 * - once every regular container has ended, sidecars get SIGTERM in reverse order, SIGKILL after
 *   `terminationGracePeriodSeconds`; phase Succeeded when every regular container exited 0, else
 *   Failed;
 * - `terminate(grace)` (deletion): regular containers SIGTERM, then sidecars, SIGKILL at the end
 *   of the grace period; `evict(message)`: DisruptionTarget condition, reason Evicted, a 2 s grace
 *   (the kubelet's minimum);
 * - image pull faults (`ErrImagePull`, then `ImagePullBackOff`, retried), invalid image names
 *   (`InvalidImageName`), missing Secrets / ConfigMaps (`CreateContainerConfigError`, retried),
 *   executables that do not exist (terminated, `StartError`, exit code 128).
 * Volumes: see `volumes.ts`. The image is not used: commands run from the double's PATH.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MemoryLimiter } from '../../../shared/executor/local/memory-limit.js';
import { launchContainer, StartError, type ContainerExit, type RunningContainer } from './container-process.js';
import { ContainerConfigError, containerEnv, expandReferences, rewriteToVolume, type EnvSources, type Mount } from './container-env.js';
import type { Faults } from './faults.js';
import { Conditions, normaliseImage, podStatus, type ContainerRun } from './pod-status.js';
import { probeUntilDone } from './probe.js';
import { parseQuantity } from './quantity.js';
import type { Registry } from './registry.js';
import { timestamp, type DataObject, type PodObject } from './types.js';
import { containerMounts, prepareVolumes, volumePath } from './volumes.js';

/** What a Pod's runtime needs from the kubelet. */
export interface KubeletEnv {
  registry: Registry;
  faults: Faults;
  limiter: MemoryLimiter;
  /** The Pod folders' parent. */
  rootDir: string;
  /** The "image" environment: PATH and the double's extra variables. */
  baseEnv: Record<string, string>;
  probeSecondMs: number;
  restartBackoffMs: number;
  imagePullBackOffMs: number;
  sources: Omit<EnvSources, 'secret' | 'configMap'> & { secret(ns: string, name: string): DataObject | undefined; configMap(ns: string, name: string): DataObject | undefined };
  frozen(): boolean;
  /** Resolves at once, or when the node resumes. */
  gate(): Promise<void>;
  /** Tells the kubelet about a probe process; returns the function that forgets it. */
  track(pid: number): () => void;
}

/** Docker's reference grammar, roughly (lower-case repository, optional tag and digest). */
const IMAGE_REF = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

const EPOCH = '1970-01-01T00:00:00Z';

/** One Pod's containers and status. */
export class PodRuntime {
  readonly uid: string;
  readonly ns: string;
  readonly name: string;
  readonly dir: string;
  readonly containers: ContainerRun[];
  /** Resolves when the Pod has ended (terminal status written) and its processes are gone. */
  readonly done: Promise<void>;
  private readonly init: ContainerRun[];
  private readonly regular: ContainerRun[];
  private readonly conditions: Conditions;
  private readonly abort = new AbortController();
  private readonly waiters = new Set<() => void>();
  private readonly startTime = timestamp();
  private initialized = false;
  private finalPhase?: 'Succeeded' | 'Failed';
  private evicted?: string;
  private deadline?: { at: number; timer: NodeJS.Timeout };
  private readonly termSent = new WeakSet<RunningContainer>();

  constructor(
    private readonly env: KubeletEnv,
    private readonly pod: PodObject,
  ) {
    this.uid = pod.metadata.uid!;
    this.ns = pod.metadata.namespace!;
    this.name = pod.metadata.name!;
    this.dir = join(env.rootDir, 'pods', `${this.ns}_${this.name}_${this.uid.slice(0, 8)}`);
    const run = (spec: PodObject['spec']['containers'][number], role: ContainerRun['role']): ContainerRun => ({ spec, role, state: { waiting: { reason: 'PodInitializing' } }, lastState: {}, restartCount: 0, started: false, logs: [] });
    this.init = (pod.spec.initContainers ?? []).map((c) => run(c, c.restartPolicy === 'Always' ? 'sidecar' : 'init'));
    this.regular = pod.spec.containers.map((c) => run(c, 'regular'));
    if (this.init.length === 0) for (const c of this.regular) c.state = { waiting: { reason: 'ContainerCreating' } };
    this.containers = [...this.init, ...this.regular];
    this.conditions = new Conditions(pod.status?.conditions ?? []);
    this.done = this.run().catch((err: unknown) => process.emitWarning(`kube-double kubelet (pod ${this.ns}/${this.name}): ${(err as Error).stack ?? String(err)}`));
  }

  get aborted(): boolean {
    return this.abort.signal.aborted;
  }

  /** Whether the Pod has reached its terminal phase. */
  get finished(): boolean {
    return this.finalPhase !== undefined;
  }

  /** The folder of volume `name` on this machine. */
  volumePath(name: string): string {
    return volumePath(this.pod, this.dir, name);
  }

  /** The log file of a container's current (or previous) run, or undefined. */
  logPath(container: string, previous = false): string | undefined {
    const c = this.containers.find((x) => x.spec.name === container);
    return c?.logs[previous ? c.restartCount - 1 : c.restartCount];
  }

  /** Running processes (pid = process group), for tests and stopNode. */
  processes(): Array<{ container: string; pid: number }> {
    return this.containers.filter((c) => c.process).map((c) => ({ container: c.spec.name, pid: c.process!.pid }));
  }

  /** Sends `sig` to every running container (stopNode / resumeNode use SIGSTOP / SIGCONT). */
  signalAll(sig: NodeJS.Signals): void {
    for (const c of this.containers) c.process?.signal(sig);
  }

  /** Deletion: SIGTERM now (regular containers first, then sidecars in reverse order), SIGKILL after `graceSeconds`. */
  terminate(graceSeconds: number): void {
    const at = Date.now() + Math.max(0, graceSeconds) * 1000;
    if (this.deadline && this.deadline.at <= at) return;
    if (this.deadline) clearTimeout(this.deadline.timer);
    const timer = setTimeout(() => void this.env.gate().then(() => this.signalAll('SIGKILL')), at - Date.now());
    timer.unref();
    this.deadline = { at, timer };
    if (this.aborted) return;
    this.abort.abort();
    this.notify();
    void (async () => {
      await this.stop([...this.regular, ...this.init.filter((c) => c.role === 'init')]);
      await this.stop([...this.init].reverse().filter((c) => c.role === 'sidecar'));
    })();
  }

  /** The kubelet evicts the Pod: condition DisruptionTarget, reason Evicted, containers killed. */
  evict(message: string): void {
    if (this.finished || this.evicted) return;
    this.evicted = message;
    this.conditions.set('DisruptionTarget', 'True', 'TerminationByKubelet', message);
    this.publish();
    this.terminate(2);
  }

  /** Kills everything at once (the Pod object is gone, or the double closes). */
  kill(): void {
    this.abort.abort();
    this.notify();
    this.signalAll('SIGCONT');
    this.signalAll('SIGKILL');
  }

  /** Writes the status the kubelet would report now (nothing while the node is stopped). */
  publish(): void {
    if (this.env.frozen()) return;
    const status = podStatus({ init: this.init, regular: this.regular, conditions: this.conditions, initialized: this.initialized, finalPhase: this.finalPhase, evicted: this.evicted, startTime: this.startTime, qosClass: this.pod.status?.qosClass });
    this.env.registry.writeStatus('pods', this.ns, this.name, this.uid, status);
  }

  private async run(): Promise<void> {
    this.conditions.set('PodReadyToStartContainers', 'True');
    mkdirSync(join(this.dir, 'home'), { recursive: true });
    await prepareVolumes(this.pod, (v) => this.volumePath(v), this.env.sources, (ms) => this.sleep(ms), () => this.aborted);
    this.publish();
    let initFailed = false;
    for (const c of this.init) {
      if (this.aborted) break;
      if (c.role === 'sidecar') {
        const started = await this.start(c);
        if (!started) break;
        void this.superviseSidecar(c, started.ended);
        await this.until(() => c.started || this.aborted);
        continue;
      }
      const result = await this.runToEnd(c, true);
      if (result === 'failed') initFailed = true;
      if (result !== 'ok') break;
    }
    if (!this.aborted && !initFailed) {
      this.initialized = true;
      this.publish();
      await Promise.all(this.regular.map((c) => this.runToEnd(c, false)));
    }
    await this.stop([...this.regular, ...this.init.filter((c) => c.role === 'init')]);
    await this.stop([...this.init].reverse().filter((c) => c.role === 'sidecar'));
    if (this.deadline) clearTimeout(this.deadline.timer);
    const allZero = this.initialized && this.regular.every((c) => c.state.terminated?.exitCode === 0);
    this.finalPhase = allZero && !this.evicted ? 'Succeeded' : 'Failed';
    this.notify();
    await this.env.gate();
    this.publish();
  }

  /** SIGTERM once to each running container of `list`, SIGKILL at the deadline; resolves when none runs. */
  private async stop(list: ContainerRun[]): Promise<void> {
    if (!this.deadline) {
      const grace = (this.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
      const timer = setTimeout(() => void this.env.gate().then(() => this.signalAll('SIGKILL')), grace);
      timer.unref();
      this.deadline = { at: Date.now() + grace, timer };
    }
    for (const c of list) {
      if (c.process && !this.termSent.has(c.process)) {
        this.termSent.add(c.process);
        c.process.signal('SIGTERM');
      }
    }
    await this.until(() => list.every((c) => !c.process));
  }

  /** Runs a container until it ends for good: 'ok' (exit 0), 'failed' (non-zero, not restarted), 'aborted'. */
  private async runToEnd(c: ContainerRun, isInit: boolean): Promise<'ok' | 'failed' | 'aborted'> {
    const policy = this.pod.spec.restartPolicy ?? 'Always';
    for (;;) {
      const started = await this.start(c);
      if (!started) return 'aborted';
      const exit = await started.ended;
      if (this.aborted) return 'aborted';
      if (exit.exitCode === 0 && (isInit || policy !== 'Always')) return 'ok';
      if (exit.exitCode !== 0 && policy === 'Never') return 'failed';
      await this.backoff(c);
    }
  }

  /** Restarts a sidecar each time it exits, until the regular containers have ended or the Pod stops. */
  private async superviseSidecar(c: ContainerRun, first: Promise<ContainerExit>): Promise<void> {
    let ended = first;
    for (;;) {
      await ended;
      const over = () => this.aborted || (this.initialized && this.regular.every((r) => r.state.terminated && !r.process));
      if (over()) return;
      await this.backoff(c);
      if (over()) return;
      const next = await this.start(c);
      if (!next) return;
      ended = next.ended;
    }
  }

  private async backoff(c: ContainerRun): Promise<void> {
    const ms = this.env.restartBackoffMs;
    if (c.state.terminated) c.lastState = { terminated: c.state.terminated };
    c.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.ceil(ms / 1000)}s restarting failed container=${c.spec.name} pod=${this.name}_${this.ns}(${this.uid})` } };
    this.publish();
    await this.sleep(ms);
  }

  /**
   * Starts a container once nothing stops it (image pull, config references).
   * @returns `ended`, a promise of its end (the state is `terminated` by then), or null when the Pod stopped first.
   */
  private async start(c: ContainerRun): Promise<{ ended: Promise<ContainerExit> } | null> {
    const image = c.spec.image ?? '';
    for (;;) {
      await this.env.gate();
      if (this.aborted) return null;
      if (!IMAGE_REF.test(image)) {
        this.waiting(c, 'InvalidImageName', `Failed to apply default image tag "${image}": couldn't parse image name "${image}": invalid reference format`);
        await this.until(() => this.aborted);
        return null;
      }
      if (this.env.faults.imagePullFails(image)) {
        const full = normaliseImage(image);
        this.waiting(c, 'ErrImagePull', `rpc error: code = NotFound desc = failed to pull and unpack image "${full}": failed to resolve reference "${full}": ${full}: not found`);
        await this.sleep(this.env.imagePullBackOffMs);
        if (this.env.faults.imagePullFails(image)) {
          this.waiting(c, 'ImagePullBackOff', `Back-off pulling image "${image}"`);
          await this.sleep(this.env.imagePullBackOffMs);
        }
        continue;
      }
      let env: Record<string, string>;
      let defined: Record<string, string>;
      const mounts = this.mounts(c);
      try {
        ({ env, defined } = containerEnv(this.pod, c.spec, this.baseEnv(), mounts, this.sourcesFor()));
      } catch (err) {
        if (!(err instanceof ContainerConfigError)) throw err;
        this.waiting(c, 'CreateContainerConfigError', err.message);
        await this.sleep(500);
        continue;
      }
      return this.launch(c, env, defined, mounts);
    }
  }

  private async launch(c: ContainerRun, env: Record<string, string>, defined: Record<string, string>, mounts: Mount[]): Promise<{ ended: Promise<ContainerExit> }> {
    if (c.logs.length > 0) {
      if (c.state.terminated) c.lastState = { terminated: c.state.terminated };
      c.restartCount++;
    }
    const logDir = join(this.dir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const logPath = join(logDir, `${c.spec.name}-${c.restartCount}.log`);
    c.logs[c.restartCount] = logPath;
    const argv = [...(c.spec.command ?? []), ...(c.spec.args ?? [])].map((a) => expandReferences(a, (n) => defined[n]));
    let cwd = join(this.dir, 'containers', c.spec.name);
    mkdirSync(cwd, { recursive: true });
    if (c.spec.workingDir) {
      cwd = rewriteToVolume(c.spec.workingDir, mounts);
      if (cwd !== c.spec.workingDir) mkdirSync(cwd, { recursive: true });
    }
    // Every container gets a memory cgroup, as under a real kubelet (so a process reading its own
    // cgroup's memory sees the container's): limited to the node's memory when it sets no limit.
    const limit = parseQuantity(c.spec.resources?.limits?.memory);
    const mem = limit ?? (this.env.limiter.mechanism === 'rlimit' ? null : this.env.sources.node.memBytes);
    let proc: RunningContainer;
    try {
      proc = await launchContainer({ argv, env, cwd, logPath, memBytes: mem, limiter: this.env.limiter, cgroupName: `${this.uid.slice(0, 8)}-${c.spec.name}-${c.restartCount}` });
    } catch (err) {
      if (!(err instanceof StartError)) throw err;
      writeFileSync(logPath, `${err.message}\n`, { flag: 'a' });
      const finishedAt = new Date();
      c.state = { terminated: { exitCode: 128, reason: 'StartError', message: err.message, startedAt: EPOCH, finishedAt: timestamp(finishedAt) } };
      this.notify();
      this.publish();
      return { ended: Promise.resolve({ exitCode: 128, signal: null, oomKilled: false, finishedAt }) };
    }
    c.process = proc;
    c.containerId = proc.containerId;
    c.started = !c.spec.startupProbe;
    c.state = { running: { startedAt: timestamp(proc.startedAt) } };
    if (this.env.frozen()) proc.signal('SIGSTOP');
    if (this.aborted) {
      this.termSent.add(proc);
      proc.signal('SIGTERM');
    }
    const ended = proc.exited.then((exit) => {
      c.process = undefined;
      c.started = false;
      const reason = exit.oomKilled ? 'OOMKilled' : exit.exitCode === 0 ? 'Completed' : 'Error';
      c.state = { terminated: { exitCode: exit.exitCode, ...(exit.signal ? { signal: exit.signal } : {}), reason, startedAt: timestamp(proc.startedAt), finishedAt: timestamp(exit.finishedAt), containerID: proc.containerId } };
      this.notify();
      this.publish();
      return exit;
    });
    if (c.spec.startupProbe) void this.startupProbe(c, proc, env, cwd, ended);
    this.notify();
    this.publish();
    return { ended };
  }

  private async startupProbe(c: ContainerRun, proc: RunningContainer, env: Record<string, string>, cwd: string, ended: Promise<unknown>): Promise<void> {
    const stop = new AbortController();
    void ended.then(() => stop.abort());
    const result = await probeUntilDone(c.spec.startupProbe!, {
      container: c.spec,
      env,
      cwd,
      secondMs: this.env.probeSecondMs,
      signal: AbortSignal.any([stop.signal, this.abort.signal]),
      gate: () => this.env.gate(),
      track: (pid) => this.env.track(pid),
    });
    if (c.process !== proc) return;
    if (result === 'succeeded') {
      c.started = true;
      this.notify();
      this.publish();
    } else if (result === 'failed') {
      // "Container failed startup probe, will be restarted": killed with the Pod's grace period.
      proc.signal('SIGTERM');
      const t = setTimeout(() => proc.signal('SIGKILL'), (this.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000);
      t.unref();
      void ended.then(() => clearTimeout(t));
    }
  }

  private waiting(c: ContainerRun, reason: string, message: string): void {
    c.state = { waiting: { reason, message } };
    this.publish();
  }

  private baseEnv(): Record<string, string> {
    return { HOME: join(this.dir, 'home'), ...this.env.baseEnv, HOSTNAME: this.name };
  }

  private sourcesFor(): EnvSources {
    const s = this.env.sources;
    return { node: s.node, secret: (n) => s.secret(this.ns, n), configMap: (n) => s.configMap(this.ns, n) };
  }

  private mounts(c: ContainerRun): Mount[] {
    return containerMounts(c.spec, (v) => this.volumePath(v));
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Resolves once `pred()` holds (checked at every change of the Pod's state). */
  private until(pred: () => boolean): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!pred()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        this.abort.signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.abort.signal.addEventListener('abort', done);
    });
  }
}
