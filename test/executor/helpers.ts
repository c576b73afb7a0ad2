/** Helpers of the executor tests: requests, running an attempt to its end, process liveness. */
import { readFileSync } from 'node:fs';
import type { AttemptRequest, ToolReport } from '../../shared/executor/executor.js';
import type { LocalExecutor } from '../../shared/executor/local/local-executor.js';

export type ExitReport = Extract<ToolReport, { kind: 'exit' }>;

let seq = 0;

/** A request for a fresh tool `t<n>` of task `task` running `cmds`; `mem` in bytes (default 256e6). */
export function request(cmds: string[], extra: Partial<AttemptRequest> & { mem?: number } = {}): AttemptRequest {
  const { mem, ...rest } = extra;
  return {
    taskId: 'task1',
    tool: `t${++seq}`,
    attempt: 1,
    owner: 'me',
    spec: { name: 'x', cmds, env: {}, outputs: [], image: null },
    values: {},
    inputs: {},
    deps: [],
    resources: { cpuMillicores: 1000, memBytes: mem ?? 256e6, diskBytes: null, timeSeconds: null },
    ...rest,
  };
}

/** Runs an attempt to its end on `executor`; returns every report, the exit report and the work dir. */
export async function runAttempt(executor: LocalExecutor, req: AttemptRequest): Promise<{ reports: ToolReport[]; exit: ExitReport }> {
  const reports: ToolReport[] = [];
  await new Promise<void>((resolve, reject) => {
    executor
      .start(req, (r) => {
        reports.push(r);
        if (r.kind === 'exit') resolve();
      })
      .catch(reject);
  });
  return { reports, exit: reports.find((r) => r.kind === 'exit') as ExitReport };
}

/** True while a process exists and is not a zombie waiting to be reaped. */
export function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Waits until `check` holds, polling every 20 ms, for at most `ms`; returns its last value. */
export async function waitFor(check: () => boolean, ms = 10_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
}
