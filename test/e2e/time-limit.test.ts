/**
 * A per-tool time limit (`time`, as Nextflow's `time` and Kubernetes' `activeDeadlineSeconds`): an
 * attempt that runs past it is stopped and fails as `timeout`; with `retry.on: [timeout]` it is rerun
 * with more time (`grow`, up to `retry.cap.time`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolflow } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const home = tempDir();
const env = { TOOLFLOW_HOME: home };

interface RunJson {
  status: string;
  tools: { name: string; status: string; attempts: number; reason: string | null; message?: string | null }[];
}

describe('time limits', () => {
  it('a hung tool is stopped at its time limit and fails as timeout; what relies on it is skipped', async () => {
    const wf = join(home, 'hung.yaml');
    writeFileSync(wf, 'name: hung\ntools:\n  - {name: hung, time: 1s, cmds: ["sleep 600"]}\n  - {name: after, cmds: ["true"], rely: [hung]}\n');
    const r = await toolflow(['run', wf, '--json'], env, 60_000);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as RunJson;
    expect(result.tools.map((t) => [t.name, t.status, t.attempts, t.reason])).toEqual([
      ['hung', 'failed', 1, 'timeout'],
      ['after', 'skipped', 0, null],
    ]);
    expect(r.stdout).toContain('time limit of 1s');
  });

  it('with retry.on [timeout], reruns with the time grown, and succeeds', async () => {
    const wf = join(home, 'slow.yaml');
    writeFileSync(wf, 'name: slow\ntools:\n  - {name: slow, time: 1s, retry: {on: [timeout], grow: 4}, cmds: ["sleep 2"]}\n');
    const r = await toolflow(['run', wf, '--json'], env, 60_000);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as RunJson).tools.map((t) => [t.name, t.status, t.attempts])).toEqual([['slow', 'succeeded', 2]]);
  });
});
