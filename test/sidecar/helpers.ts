/**
 * A tool attempt's Pod on this machine, without Kubernetes: a temporary folder stands for the shared
 * volume, the real wrapper (`TOOL_WRAPPER`) runs under a real shell as the tool container would,
 * and the real sidecar (`runSidecar`) beside it, with the local object store. Reports go to a
 * recorder (our own report port), except in the CLI test, which uses the real gRPC client and server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, onTestFinished } from 'vitest';
import type { AttemptRequest, ToolReport } from '../../shared/executor/executor.js';
import { killAndRemove } from '../../shared/executor/local/memory-limit.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import type { SendOutcome } from '../../shared/reports/report-client.js';
import { runSidecar, type SidecarOptions } from '../../shared/sidecar/sidecar.js';
import { TOOL_WRAPPER } from '../../shared/sidecar/tool-wrapper.js';

export const Mi = 1024 * 1024;
export const log = pino({ level: 'silent' });

let seq = 0;

/** An attempt request as `tool.ready` carries it (task `t0123456789a`, 1 cpu, 256Mi). */
export function attempt(over: { cmds: string[]; outputs?: string[]; env?: Record<string, string> } & Partial<Omit<AttemptRequest, 'spec'>>): AttemptRequest {
  const { cmds, outputs = [], env = {}, ...rest } = over;
  return {
    taskId: 't0123456789a',
    tool: 'align',
    attempt: 1,
    owner: 'tester',
    spec: { name: 'align', cmds, env, outputs, image: null },
    values: {},
    inputs: {},
    deps: [],
    resources: { cpuMillicores: 1000, memBytes: 256 * Mi, diskBytes: null, timeSeconds: null },
    ...rest,
  } as AttemptRequest;
}

/** A Pod's shared folder and an object store, in `root`. */
export interface Pod {
  dir: string;
  objects: LocalObjectStore;
}

export function newPod(root: string): Pod {
  const n = ++seq;
  const dir = join(root, `pod-${n}`);
  mkdirSync(dir);
  return { dir, objects: new LocalObjectStore(join(root, `objects-${n}`)) };
}

/** A running wrapper: its process, how it ended, what it printed on stderr. */
export interface Wrapper {
  child: ChildProcess;
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

const started: ChildProcess[] = [];
afterEach(() => {
  // Whatever a failed test left running: each wrapper has its own process group (detached).
  for (const c of started.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        process.kill(-c.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
});

/**
 * Starts the wrapper as the tool container's command: `SHELL -c TOOL_WRAPPER` with the Pod's
 * variables (and `cgroupProcs`: it joins that cgroup first, as a container's process starts in it).
 */
export function startWrapper(podDir: string, opts: { shell?: string[]; env?: Record<string, string>; cgroupProcs?: string } = {}): Wrapper {
  const shell = opts.shell ?? ['/bin/sh'];
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', TOOLFLOW_POD_DIR: podDir, TOOLFLOW_REPORT_WAIT_SECONDS: '30', ...opts.env };
  // Joining the cgroup first, then exec: the wrapper's pid, and all it starts, are in it from the start.
  const command = [...shell, '-c', TOOL_WRAPPER];
  const [file, ...args] = opts.cgroupProcs ? ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', opts.cgroupProcs, ...command] : command;
  const child = spawn(file!, args, { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  started.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  return { child, ended, stderr: () => stderr };
}

/** Records the reports a sidecar sends; `outcome` answers them ('accepted' by default). */
export function recorder(outcome: SendOutcome = 'accepted') {
  const reports: ToolReport[] = [];
  return {
    reports,
    kinds: () => reports.map((r) => r.kind),
    exit: () => reports.find((r): r is Extract<ToolReport, { kind: 'exit' }> => r.kind === 'exit'),
    report: async (r: ToolReport): Promise<SendOutcome> => {
      reports.push(r);
      return outcome;
    },
  };
}

/** Runs one attempt: wrapper and sidecar side by side, until both have ended. */
export async function runPod(pod: Pod, request: AttemptRequest, opts: { wrapper?: Parameters<typeof startWrapper>[1]; sidecar?: Partial<SidecarOptions> } = {}) {
  const rec = recorder();
  const wrapper = startWrapper(pod.dir, opts.wrapper);
  const controller = new AbortController();
  await runSidecar({ podDir: pod.dir, request, objects: pod.objects, report: rec.report, keepaliveSeconds: 0.2, log, signal: controller.signal, ...opts.sidecar });
  const ended = await wrapper.ended;
  return { ...rec, wrapper, ended };
}

/** Stores `content` as object `key` (through a file, as the store takes files). */
export async function putText(pod: Pod, key: string, content: string): Promise<void> {
  const file = join(pod.dir, '..', `upload-${++seq}`);
  writeFileSync(file, content);
  await pod.objects.putFile(key, file);
}

/** The text of object `key`. */
export async function objectText(pod: Pod, key: string): Promise<string> {
  const file = join(pod.dir, '..', `download-${++seq}`);
  await pod.objects.getToFile(key, file);
  return readFileSync(file, 'utf8');
}

/** This process's own memory cgroup folder and the files of that version (v2 unified, or v1's memory controller). */
function ownMemoryCgroup(): { dir: string; v: 1 | 2 } {
  const lines = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  const v2 = lines.find((l) => l.startsWith('0::'));
  if (v2) {
    const dir = join('/sys/fs/cgroup', v2.slice(3));
    try {
      if (readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').split(/\s+/).includes('memory')) return { dir, v: 2 };
    } catch {
      /* hybrid: v2 without the memory controller */
    }
  }
  const v1 = lines.map((l) => l.split(':')).find((p) => p[1]?.split(',').includes('memory'));
  if (!v1) throw new Error('no memory cgroup on this machine (the tests run as root on a Linux host with the memory controller)');
  return { dir: join('/sys/fs/cgroup/memory', v1[2]!), v: 1 };
}

/**
 * A memory cgroup of its own for one test, limited to `limitBytes`, as the kubelet makes one for a
 * container (removed after the test, SIGKILLing what is left in it). Root only.
 */
export function testCgroup(limitBytes: number): { dir: string; procs: string } {
  const { dir: own, v } = ownMemoryCgroup();
  const dir = join(own, `toolflow-sidecar-test-${process.pid}-${++seq}`);
  if (v === 2) {
    try {
      writeFileSync(join(own, 'cgroup.subtree_control'), '+memory');
    } catch {
      /* enabled already, or refused: the limit below tells */
    }
  }
  mkdirSync(dir);
  onTestFinished(() => {
    for (const child of readdirSync(dir, { withFileTypes: true })) if (child.isDirectory()) rmdirSync(join(dir, child.name));
    killAndRemove(dir);
  });
  writeFileSync(join(dir, v === 2 ? 'memory.max' : 'memory.limit_in_bytes'), String(limitBytes));
  try {
    writeFileSync(join(dir, v === 2 ? 'memory.swap.max' : 'memory.swappiness'), '0');
  } catch {
    /* no swap accounting: nothing to turn off */
  }
  return { dir, procs: join(dir, 'cgroup.procs') };
}
