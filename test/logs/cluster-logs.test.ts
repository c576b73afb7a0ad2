/**
 * Issue 12 §2, cluster mode: the processes a task starts in Kubernetes — its work-manager Job's
 * `toolflow work-manager TASK` and each tool Pod's native sidecar `toolflow sidecar` — log JSON
 * lines on their container's output at `TOOLFLOW_LOG_LEVEL=trace` (the kube double's kubelet keeps
 * stdout and stderr of a container in one log, as the kubelet does), each line with its task (and
 * the sidecar's with its tool and attempt), and none holds the report secret, an attempt's report
 * token, or the S3 secret key the deployment's Secret gives them. The submitting `toolflow run`
 * (which runs the functions here) keeps its lines on stderr: its stdout is the result.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CLUSTER_SECRET, runCli, startClusterStack, type ClusterStack } from '../support/cluster-stack.js';
import { skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';

const all = !skipped('mysql') && !skipped('rabbitmq') && !skipped('etcd');

/** The JSON lines (pino's: a numeric `level`) of a log's text. */
function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    })
    .filter((l): l is Record<string, unknown> => typeof l?.level === 'number');
}

describe.skipIf(!all)('cluster mode: the work manager’s and the sidecars’ logs', () => {
  let stack: ClusterStack;
  beforeAll(async () => {
    stack = await startClusterStack(inject('etcdEndpoints'), { keepaliveSeconds: 1 }, { TOOLFLOW_LOG_LEVEL: 'trace' });
  }, 180_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('every container line is JSON naming its task (and the sidecar’s its tool and attempt); no secret in any output', async () => {
    const dir = tempDir('toolflow-cluster-logs-');
    const wf = join(dir, 'workflow.yaml');
    writeFileSync(wf, 'name: pair\ntools:\n  - {name: first, cpu: 100m, mem: 64Mi, outputs: [a.txt], cmds: ["sleep 2; echo a > a.txt"]}\n  - {name: second, cpu: 100m, mem: 64Mi, rely: [first], cmds: [\'cat "$TF_DEP_first/a.txt"\']}\n');
    const run = await runCli(['run', wf, '--json'], stack.env);
    expect(run.code, `${run.stderr}\n${stack.dump()}`).toBe(0);
    const { taskId } = JSON.parse(run.stdout) as { taskId: string };
    // The work manager exits once the task has ended; its Job completes after that.
    const ours = () => stack.kube.jobs('toolflow').filter((j) => j.metadata!.labels?.['toolflow.io/task'] === taskId);
    await stack.kube.waitFor(() => (ours().length === 3 && ours().every((j) => j.status?.succeeded === 1) ? true : undefined), 60_000, 'every Job of the task complete');

    const logs: { pod: string; container: string; text: string; token?: string }[] = [];
    for (const p of stack.kube.pods('toolflow').filter((p) => p.metadata!.labels?.['toolflow.io/task'] === taskId)) {
      for (const c of [...(p.spec?.initContainers ?? []), ...(p.spec?.containers ?? [])]) {
        const path = stack.kube.logPath(p.metadata!.name!, c.name, 'toolflow');
        const token = c.env?.find((e) => e.name === 'TOOLFLOW_REPORT_TOKEN')?.value;
        logs.push({ pod: p.metadata!.name!, container: c.name, text: path && existsSync(path) ? readFileSync(path, 'utf8') : '', ...(token ? { token } : {}) });
      }
    }
    const tokens = logs.flatMap((l) => (l.token ? [l.token] : []));
    expect(tokens).toHaveLength(2);
    const secrets = { 'the report secret': CLUSTER_SECRET, 'the S3 secret key': stack.env.AWS_SECRET_ACCESS_KEY!, ...Object.fromEntries(tokens.map((t, i) => [`report token ${i + 1}`, t])) };
    for (const [what, value] of Object.entries(secrets)) {
      for (const l of logs) expect(l.text.includes(value), `${what} in the log of ${l.pod}/${l.container}`).toBe(false);
      expect(run.stdout.includes(value) || run.stderr.includes(value), `${what} in toolflow run's output`).toBe(false);
    }

    // The work manager: every line names the task; its reports name tool and attempt (debug).
    const wm = logs.find((l) => l.pod.startsWith(`tf-${taskId}-wm`))!;
    const wmLines = jsonLines(wm.text);
    expect(wmLines.length, wm.text).toBeGreaterThan(0);
    for (const l of wmLines) expect([l.component, l.taskId], JSON.stringify(l)).toEqual(['work-manager', taskId]);
    expect(wmLines.some((l) => l.msg === 'exit report received' && l.tool === 'second' && l.attempt === 1), wm.text).toBe(true);
    expect(wmLines.some((l) => l.msg === 'report received' && l.level === 10 && l.kind === 'keepalive'), wm.text).toBe(true);
    // Each sidecar: every line names its task, tool and attempt, once each.
    for (const tool of ['first', 'second']) {
      const sidecar = logs.find((l) => l.container === 'toolflow-sidecar' && l.pod.startsWith(`tf-${taskId}-${tool}`));
      expect(sidecar, logs.map((l) => `${l.pod}/${l.container}`).join(', ')).toBeDefined();
      const lines = jsonLines(sidecar!.text);
      expect(lines.length, sidecar!.text).toBeGreaterThan(0);
      for (const l of lines) expect([l.component, l.taskId, l.tool, l.attempt], JSON.stringify(l)).toEqual(['toolflow-sidecar', taskId, tool, 1]);
      for (const line of sidecar!.text.split('\n').filter((t) => t.startsWith('{'))) expect(line.match(/"taskId":/g), line).toHaveLength(1);
    }
    // toolflow run: lines on stderr only.
    expect(jsonLines(run.stdout)).toEqual([]);
    expect(jsonLines(run.stderr).some((l) => l.function === 'schedule-tool' && l.taskId === taskId && l.tool === 'first' && l.attempt === 1)).toBe(true);
  }, 240_000);
});
