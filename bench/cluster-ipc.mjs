// Helpers of the cluster benchmark (bench/cluster.mjs): child processes driven over Node's IPC
// channel (the benchmark's own processes: bench/cluster-wm.mjs, bench/cluster-client.mjs), and the
// CPU time of a process read from /proc, so the process measured runs no code of the benchmark's.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (`getconf CLK_TCK`: 100 on Linux). */
const CLK_TCK = 100;

/**
 * CPU time of a process so far (every thread: JavaScript, GC helpers, libuv's pool), in ms at 10 ms
 * resolution: `{ user, sys }`.
 * @throws when the process is gone (no /proc/<pid>/stat).
 */
export function cpuTimes(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, in parentheses): state is field 3, utime 14, stime 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: (Number(f[11]) * 1000) / CLK_TCK, sys: (Number(f[12]) * 1000) / CLK_TCK };
}

/**
 * Forks `node file args…` with an IPC channel; the child answers `{ id, ok, value | error }` to each
 * `{ id, cmd, …args }` (see `serveCommands`) and may send `{ event, … }` messages of its own.
 * @returns {{ pid: number, call: (cmd: string, args?: object) => Promise<any>, next: (event: string, timeoutMs?: number) => Promise<object>, stderr: () => string, stop: () => Promise<void> }}
 *   `call` rejects with the child's error (and its stderr's tail) or when it exits first; `next`
 *   resolves with the next message of that event; `stop` sends SIGTERM and waits (SIGKILL after 10 s).
 */
export function forkChild(file, args, env) {
  const child = fork(file, args, { env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let tail = '';
  child.stderr.on('data', (d) => (tail = (tail + d).slice(-6000)));
  const pending = new Map();
  const waiters = [];
  const queued = [];
  let gone = null;
  let seq = 0;
  const exited = new Promise((res) =>
    child.once('exit', (code, signal) => {
      gone = `exited (${code ?? signal})`;
      for (const p of pending.values()) p.reject(new Error(`bench: ${file} ${gone}: ${tail}`));
      for (const w of waiters.splice(0)) w.reject(new Error(`bench: ${file} ${gone} before ${w.event}: ${tail}`));
      res();
    }),
  );
  child.on('message', (m) => {
    if (m.id !== undefined) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.ok) p?.resolve(m.value);
      else p?.reject(new Error(`bench: ${file}: ${m.error}\n${tail}`));
      return;
    }
    const w = waiters.findIndex((x) => x.event === m.event);
    if (w >= 0) waiters.splice(w, 1)[0].resolve(m);
    else queued.push(m);
  });
  return {
    pid: child.pid,
    stderr: () => tail,
    call(cmd, callArgs = {}) {
      if (gone) return Promise.reject(new Error(`bench: ${file} ${gone}: ${tail}`));
      const id = ++seq;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ id, cmd, ...callArgs });
      });
    },
    next(event, timeoutMs = 120_000) {
      const q = queued.findIndex((m) => m.event === event);
      if (q >= 0) return Promise.resolve(queued.splice(q, 1)[0]);
      if (gone) return Promise.reject(new Error(`bench: ${file} ${gone} before ${event}: ${tail}`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`bench: ${file} sent no ${event} within ${timeoutMs} ms: ${tail}`)), timeoutMs);
        waiters.push({ event, resolve: (m) => (clearTimeout(timer), resolve(m)), reject: (e) => (clearTimeout(timer), reject(e)) });
      });
    },
    async stop() {
      if (gone) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/**
 * The child's side of `forkChild`: answers each `{ id, cmd }` message with `handlers[cmd](message)`'s
 * value (or its error's message).
 */
export function serveCommands(handlers) {
  process.on('message', async (m) => {
    if (m.id === undefined) return;
    try {
      const handler = handlers[m.cmd];
      if (!handler) throw new Error(`unknown command ${m.cmd}`);
      process.send({ id: m.id, ok: true, value: await handler(m) });
    } catch (err) {
      process.send({ id: m.id, ok: false, error: err?.stack ?? String(err) });
    }
  });
}
