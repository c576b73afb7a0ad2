// `toolflow sidecar` as the Pod runs it (the built CLI, configured by the environment) beside the
// real wrapper, reporting over real gRPC (ReportClient) to a real report server (startReportServer)
// on loopback: killed after Start and restarted in place, as the kubelet restarts a native sidecar.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ToolReport } from '../../shared/executor/executor.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { attemptToken } from '../../shared/reports/attempt-token.js';
import { startReportServer, type ReportServer } from '../../shared/reports/report-server.js';
import { attemptObjectPrefix, PodFile } from '../../shared/sidecar/pod-layout.js';
import { BIN, toolflow, until } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { attempt, log, newPod, objectText, startWrapper } from './helpers.js';

const root = tempDir('toolflow-sidecar-cli-');
const SECRET = 'sidecar-test-secret-0123456789abcdef';
const received: ToolReport[] = [];
let server: ReportServer;
afterAll(async () => server?.close());

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** `toolflow sidecar` with the Pod's environment; resolves `ended` with its exit code. */
function sidecar(env: Record<string, string>) {
  const child = spawn('node', [BIN, 'sidecar'], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, ended, stderr: () => stderr };
}

describe('toolflow sidecar', () => {
  it('killed after Start and restarted, it resumes from the folder: the Exit arrives over gRPC, then it idles until SIGTERM', async () => {
    server = await startReportServer({ listen: '127.0.0.1:0', secret: SECRET, deliver: (r) => (received.push(r), 'accepted'), log });
    const home = join(root, 'home');
    const pod = { ...newPod(root), objects: new LocalObjectStore(join(home, 'objects')) };
    const req = attempt({ cmds: ['sleep 2', 'echo result > result.txt'], outputs: ['result.txt'] });
    const env = {
      TOOLFLOW_POD_DIR: pod.dir,
      TOOLFLOW_ATTEMPT: JSON.stringify(req),
      TOOLFLOW_REPORT_ADDRESS: `127.0.0.1:${server.port}`,
      TOOLFLOW_REPORT_TOKEN: attemptToken(SECRET, req),
      TOOLFLOW_KEEPALIVE_SECONDS: '0.2',
      TOOLFLOW_REPORT_WAIT_SECONDS: '60',
      TOOLFLOW_HOME: home,
      TOOLFLOW_LOG_LEVEL: 'info',
    };
    const wrapper = startWrapper(pod.dir);
    const first = sidecar(env);
    await until(() => received.some((r) => r.kind === 'start'), 30_000, 'the first Start');
    first.child.kill('SIGKILL');
    await first.ended;
    expect(existsSync(join(pod.dir, PodFile.exit))).toBe(false);
    const startsBefore = received.filter((r) => r.kind === 'start').length;

    const second = sidecar(env);
    expect(await wrapper.ended).toEqual({ code: 0, signal: null });
    const exits = received.filter((r) => r.kind === 'exit');
    expect(exits).toHaveLength(1);
    expect(exits[0]).toMatchObject({ taskId: req.taskId, tool: 'align', attempt: 1, exitCode: 0, missingOutputs: [] });
    // The restarted sidecar sent Start again (the same fact, deduped by the work manager), before its Exit.
    expect(received.filter((r) => r.kind === 'start').length).toBe(startsBefore + 1);
    expect(received.map((r) => r.kind).lastIndexOf('start')).toBeLessThan(received.findIndex((r) => r.kind === 'exit'));
    expect(new Set(received.filter((r) => r.kind === 'start').map((r) => r.at)).size).toBe(1);
    expect(await objectText(pod, attemptObjectPrefix(req.taskId, 'align', 1) + 'result.txt')).toBe('result\n');
    // Done, it waits for the kubelet's SIGTERM (a native sidecar that exits is restarted), then exits 0.
    await new Promise((r) => setTimeout(r, 300));
    expect(second.child.exitCode).toBeNull();
    second.child.kill('SIGTERM');
    expect(await second.ended).toBe(0);
    expect(second.stderr()).not.toContain(env.TOOLFLOW_REPORT_TOKEN);
  });

  it('a malformed TOOLFLOW_ATTEMPT is a configuration error (exit 2) naming the field', async () => {
    const env = {
      TOOLFLOW_POD_DIR: join(root, 'nowhere'),
      TOOLFLOW_ATTEMPT: JSON.stringify({ ...attempt({ cmds: ['true'] }), attempt: 'one' }),
      TOOLFLOW_REPORT_ADDRESS: '127.0.0.1:1',
      TOOLFLOW_REPORT_TOKEN: 'a-token-never-printed',
    };
    const r = await toolflow(['sidecar'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TOOLFLOW_ATTEMPT is not an attempt: data.attempt must be integer');
    const noToken = await toolflow(['sidecar'], { ...env, TOOLFLOW_ATTEMPT: JSON.stringify(attempt({ cmds: ['true'] })), TOOLFLOW_REPORT_TOKEN: '' });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('TOOLFLOW_REPORT_TOKEN must be set');
  });
});
