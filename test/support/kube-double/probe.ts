/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): probes (startupProbe; the kubelet's
 * prober). `exec` runs the command as a local process with the container's environment and
 * working dir (no shell, no `$(VAR)` expansion, as in Kubernetes), success = exit 0 within
 * `timeoutSeconds`; `httpGet` (status 200-399) and `tcpSocket` go to 127.0.0.1. The first probe
 * runs after `initialDelaySeconds`, then every `periodSeconds`; `failureThreshold` failures in a
 * row fail it. `secondMs` is how long one probe second lasts (1000 in a real cluster; tests use
 * less for sub-second periods); `timeoutSeconds` stays in real seconds.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { IContainer, IProbe } from './types.js';

/** What a probe needs from its container. */
export interface ProbeContext {
  container: IContainer;
  env: Record<string, string>;
  cwd: string;
  secondMs: number;
  signal: AbortSignal;
  /** Resolves when the node runs (a stopped node probes nothing). */
  gate(): Promise<void>;
  /** Tells the kubelet about a probe process (so stopNode reaches it); returns the untrack function. */
  track(pid: number): () => void;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

function port(c: IContainer, p: number | string): number {
  if (typeof p === 'number') return p;
  const named = (c.ports ?? []).find((x) => x.name === p);
  return named ? named.containerPort : Number(p);
}

async function once(probe: IProbe, ctx: ProbeContext): Promise<boolean> {
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  if (probe.exec) {
    const [cmd, ...args] = probe.exec.command ?? [];
    if (!cmd) return false;
    return new Promise((resolve) => {
      const child = spawn(cmd, args, { env: ctx.env, cwd: ctx.cwd, stdio: 'ignore', detached: true });
      let untrack = () => {};
      const timer = setTimeout(() => kill(), timeoutMs);
      const kill = () => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      };
      ctx.signal.addEventListener('abort', kill);
      child.once('spawn', () => (untrack = ctx.track(child.pid!)));
      child.once('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        untrack();
        ctx.signal.removeEventListener('abort', kill);
        resolve(code === 0);
      });
    });
  }
  if (probe.httpGet) {
    const url = `${(probe.httpGet.scheme ?? 'HTTP').toLowerCase()}://127.0.0.1:${port(ctx.container, probe.httpGet.port)}${probe.httpGet.path ?? '/'}`;
    try {
      const r = await fetch(url, { signal: AbortSignal.any([AbortSignal.timeout(timeoutMs), ctx.signal]) });
      return r.status >= 200 && r.status < 400;
    } catch {
      return false;
    }
  }
  if (probe.tcpSocket) {
    const p = port(ctx.container, probe.tcpSocket.port);
    return new Promise((resolve) => {
      const s = connect({ host: '127.0.0.1', port: p, timeout: timeoutMs });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
      s.once('timeout', () => {
        s.destroy();
        resolve(false);
      });
    });
  }
  return false;
}

/** Probes until success ('succeeded'), `failureThreshold` failures in a row ('failed'), or the abort ('aborted'). */
export async function probeUntilDone(probe: IProbe, ctx: ProbeContext): Promise<'succeeded' | 'failed' | 'aborted'> {
  await sleep((probe.initialDelaySeconds ?? 0) * ctx.secondMs, ctx.signal);
  let failures = 0;
  let successes = 0;
  while (!ctx.signal.aborted) {
    await ctx.gate();
    if (ctx.signal.aborted) break;
    if (await once(probe, ctx)) {
      failures = 0;
      if (++successes >= (probe.successThreshold ?? 1)) return 'succeeded';
    } else {
      successes = 0;
      if (++failures >= (probe.failureThreshold ?? 3)) return 'failed';
    }
    await sleep((probe.periodSeconds ?? 10) * ctx.secondMs, ctx.signal);
  }
  return 'aborted';
}
