/**
 * `toolflow gc` as a user runs it: `--dry-run` says what would go and removes nothing; the default
 * (7 days) leaves today's tasks alone; `--older-than 0` removes every finished task's work dirs and
 * input objects (never the user's file) and says the bytes freed; `--json` gives the report; a
 * duration it cannot read is refused before anything is looked at.
 */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toolflow } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const home = tempDir('toolflow-gc-cli-');
const env = { TOOLFLOW_HOME: home };
const INPUT = join(home, 'in.txt');
const tasks: string[] = [];

beforeAll(async () => {
  writeFileSync(INPUT, 'hello\n');
  writeFileSync(
    join(home, 'w.yaml'),
    `name: gc-cli
inputs:
  data: {type: file}
tools:
  - name: copy
    cpu: 0.1
    mem: 64M
    outputs: [out.txt]
    cmds:
      - head -c 200000 /dev/zero > out.txt
`,
  );
  for (let i = 0; i < 2; i++) {
    const r = await toolflow(['run', join(home, 'w.yaml'), '--input', `data=${INPUT}`, '--json', '--no-cache'], env);
    expect(r.code, r.stderr).toBe(0);
    tasks.push((JSON.parse(r.stdout) as { taskId: string }).taskId);
  }
}, 60_000);

describe('toolflow gc', () => {
  it('refuses a duration it cannot read', async () => {
    const r = await toolflow(['gc', '--older-than', 'soon'], env);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('"soon" is not a time');
  });

  it('leaves tasks younger than the default 7 days alone', async () => {
    const r = await toolflow(['gc'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('no task finished more than 7d ago: nothing to remove');
    for (const id of tasks) expect(existsSync(join(home, 'work', id))).toBe(true);
  });

  it('--dry-run says what would go and the bytes, and removes nothing', async () => {
    const r = await toolflow(['gc', '--older-than', '0', '--dry-run'], env);
    expect(r.code, r.stderr).toBe(0);
    for (const id of tasks) expect(r.stdout).toContain(`would remove task ${id} (gc-cli, succeeded`);
    expect(r.stdout).toMatch(/would remove input object local\/[0-9a-f-]{36}\/in\.txt \(a hard link: the user's file stays\)/);
    expect(r.stdout).toMatch(/dry run: would free \S+ \((\d+) bytes\)/);
    expect(Number(/\((\d+) bytes\)/.exec(r.stdout)![1])).toBeGreaterThanOrEqual(400_000);
    for (const id of tasks) expect(existsSync(join(home, 'work', id))).toBe(true);
    expect(readdirSync(join(home, 'objects', 'local'))).toHaveLength(2);
  });

  it('--older-than 0 removes every finished task\'s files, never the user\'s, and --json says so', async () => {
    const r = await toolflow(['gc', '--older-than', '0', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { dryRun: boolean; tasks: { taskId: string }[]; objects: { kind: string }[]; freedBytes: number; olderThanSeconds: number; problems: string[] };
    expect(report).toMatchObject({ dryRun: false, olderThanSeconds: 0, problems: [] });
    expect(report.tasks.map((t) => t.taskId).sort()).toEqual([...tasks].sort());
    expect(report.objects.map((o) => o.kind)).toEqual(['link', 'link']);
    expect(report.freedBytes).toBeGreaterThanOrEqual(400_000);
    for (const id of tasks) expect(existsSync(join(home, 'work', id))).toBe(false);
    expect(existsSync(join(home, 'objects', 'local'))).toBe(false);
    expect(statSync(INPUT).nlink).toBe(1);
    // Collected tasks are not listed again.
    const again = await toolflow(['gc', '--older-than', '0', '--json'], env);
    expect((JSON.parse(again.stdout) as { tasks: unknown[] }).tasks).toEqual([]);
    // Their history stays in the store.
    const status = await toolflow(['status', tasks[0]!, '--json'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ taskId: tasks[0], status: 'succeeded' });
  });
});
