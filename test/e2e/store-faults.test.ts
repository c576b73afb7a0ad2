/**
 * The embedded store failing under a run (issue 7, section 2): a full disk, a database another
 * process keeps locked, a corrupt file. Nothing hangs; every failure is named.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toolflow } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();
const one = join(dir, 'one.yaml');
writeFileSync(one, 'name: one\ntools:\n  - {name: a, cmds: ["true"]}\n');
const mounted: string[] = [];
afterAll(() => {
  for (const m of mounted) execFileSync('umount', ['-l', m]);
});

describe('the embedded store', () => {
  it('on a full disk: the run stops (exit 3) naming the full disk and how to go on, instead of hanging', async () => {
    const small = join(dir, 'small');
    mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=5m', 'tmpfs', small]);
    mounted.push(small);
    const fill = join(dir, 'fill.yaml');
    writeFileSync(fill, 'name: fill\ntools:\n  - {name: fill, cmds: ["head -c 20000000 /dev/zero > big.bin"]}\n');
    const r = await toolflow(['run', fill, '--json'], { TOOLFLOW_HOME: small }, 60_000);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'stalled' });
    expect(r.stderr).toMatch(/toolflow: task [0-9a-f]{12} cannot progress: .* the disk holding the SQLite database .*toolflow\.db is full \(0B free of 5Mi\)/);
    expect(r.stderr).toContain('then take the task over with: toolflow resume');
    // Space freed, as the message asks: resume finishes the task (its tool failed for want of disk).
    const taskId = /task ([0-9a-f]{12}) cannot progress/.exec(r.stderr)![1]!;
    execFileSync('sh', ['-c', `rm -f ${small}/work/${taskId}/fill/attempt-*/big.bin`]);
    const resumed = await toolflow(['resume', taskId, '--json'], { TOOLFLOW_HOME: small }, 60_000);
    expect(resumed.code).toBe(1);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ taskId, status: 'failed', tools: [{ name: 'fill', status: 'failed', reason: 'disk' }] });
  });

  it('locked by another process: the run waits for it, says so, and goes on once it is free', async () => {
    const home = join(dir, 'locked');
    expect((await toolflow(['run', one, '--quiet'], { TOOLFLOW_HOME: home })).code).toBe(0);
    // Another process holds BEGIN EXCLUSIVE on toolflow.db for 12 s, longer than the store's own retries (~10 s).
    const holder = spawn(process.execPath, ['-e', `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(join(home, 'toolflow.db'))}); db.exec('BEGIN EXCLUSIVE'); console.log('locked'); setTimeout(() => db.exec('COMMIT'), 12000);`], { cwd: join(import.meta.dirname, '../..') });
    await new Promise((r) => holder.stdout.once('data', r));
    const r = await toolflow(['run', one, '--json'], { TOOLFLOW_HOME: home }, 60_000);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'succeeded' });
    expect(r.stderr).toContain('is locked by another process (a long write, or an open sqlite3 shell): waiting for it');
  });

  it('a corrupt toolflow.db: exit 2 naming the file and what to do, also as one JSON object', async () => {
    const home = join(dir, 'corrupt');
    mkdirSync(home);
    writeFileSync(join(home, 'toolflow.db'), 'this is not a database, but it is long enough to look like one at first sight\n');
    const r = await toolflow(['run', one, '--json'], { TOOLFLOW_HOME: home });
    expect(r.code).toBe(2);
    const message = `${join(home, 'toolflow.db')} is not a SQLite database or is corrupt (SQLITE_NOTADB: file is not a database): move it away`;
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'invalid', error: expect.stringContaining(message) });
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain('    at ');
    const s = await toolflow(['status'], { TOOLFLOW_HOME: home });
    expect(s.code).toBe(2);
    expect(s.stderr).toContain(message);
  });
});
