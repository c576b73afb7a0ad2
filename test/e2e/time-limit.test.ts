/**
 * A per-tool time limit (`time`, as Nextflow's `time` and Kubernetes' `activeDeadlineSeconds`): an
 * attempt that runs past it is stopped and fails as `timeout`; with `retry.on: [timeout]` it is rerun
 * with more time (`grow`, up to `retry.cap.time`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolflow } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const home = tempDir();
const env = { TOOLFLOW_HOME: home };

interface RunJson {
  status: string;
  tools: { name: string; status: string; attempts: { status: string; deliveredAt: string | null }[]; reason: string | null; message?: string | null }[];
}

describe('time limits', () => {
  it('a hung tool is stopped at its time limit and fails as timeout; what relies on it is skipped', async () => {
    const wf = join(home, 'hung.yaml');
    writeFileSync(wf, 'name: hung\ntools:\n  - {name: hung, time: 1s, cmds: ["sleep 600"]}\n  - {name: after, cmds: ["true"], rely: [hung]}\n');
    const r = await toolflow(['run', wf, '--json'], env, 60_000);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as RunJson;
    expect(result.tools.map((t) => [t.name, t.status, t.attempts.filter((a) => a.deliveredAt !== null).length, t.reason])).toEqual([
      ['hung', 'failed', 1, 'timeout'],
      ['after', 'skipped', 0, null],
    ]);
    expect(r.stdout).toContain('time limit of 1s');
  });

  it('a tool that ignores SIGTERM at its time limit is rerun only once it is dead (SIGKILL after the grace), never beside itself', async () => {
    const wf = join(home, 'stubborn.yaml');
    const trace = join(home, 'stubborn.trace');
    writeFileSync(wf, `name: stubborn\ntools:\n  - {name: trapper, time: 1s, retry: {max: 2, on: [timeout]}, cmds: ["[ \\"$TF_ATTEMPT\\" = 2 ] && { echo 2 >> ${trace}; exit 0; }; trap '' TERM; for i in $(seq 1 30); do echo 1 >> ${trace}; sleep 1; done"]}\n`);
    const r = await toolflow(['run', wf, '--json'], env, 60_000);
    expect(r.code).toBe(0);
    const lines = readFileSync(trace, 'utf8').trim().split('\n');
    // Attempt 1 wrote until it was killed (10 s after the SIGTERM), attempt 2 only after that.
    expect(lines.at(-1)).toBe('2');
    expect(lines.filter((l) => l === '2')).toHaveLength(1);
    expect(lines.filter((l) => l === '1').length).toBeGreaterThan(5);
    const tools = (JSON.parse(r.stdout) as RunJson).tools;
    expect(tools.map((t) => [t.name, t.status, t.attempts.filter((a) => a.deliveredAt !== null).length])).toEqual([['trapper', 'succeeded', 2]]);
  });

  it('with retry.on [timeout], reruns with the time grown, and succeeds', async () => {
    const wf = join(home, 'slow.yaml');
    writeFileSync(wf, 'name: slow\ntools:\n  - {name: slow, time: 1s, retry: {on: [timeout], grow: 4}, cmds: ["sleep 2"]}\n');
    const r = await toolflow(['run', wf, '--json'], env, 60_000);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as RunJson).tools.map((t) => [t.name, t.status, t.attempts.filter((a) => a.deliveredAt !== null).length])).toEqual([['slow', 'succeeded', 2]]);
  });
});
