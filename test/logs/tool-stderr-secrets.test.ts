/**
 * A tool that prints a credential on its stderr (a database URL with its password, a token in a
 * URL's query): what toolflow shows of that stderr masks it, as the logs do: the run's failure
 * summary, `toolflow status --json`, and `toolflow report`'s HTML, a file meant to be shared.
 * The trial's exact input: `echo 'password=hunter2 mysql://root:s3cretpw@db/x' >&2; exit 3`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolflow } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

describe('credentials in a tool\'s stderr', () => {
  it('are masked in the run summary, status --json and the report', async () => {
    const home = tempDir('toolflow-stderr-secrets-');
    const env = { TOOLFLOW_HOME: home };
    const wf = join(home, 'wf.yaml');
    writeFileSync(wf, `name: leaky\ntools:\n  - name: leak\n    cmds:\n      - "echo 'password=hunter2 mysql://root:s3cretpw@db/x https://h/p?access_token=T0KEN123' >&2; exit 3"\n`);
    const run = await toolflow(['run', wf], env);
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain('mysql://root:***@db/x');
    const id = /task ([0-9a-f]{12})/.exec(run.stdout + run.stderr)![1]!;
    const status = await toolflow(['status', id, '--json'], env);
    const report = join(home, 'report.html');
    const written = await toolflow(['report', id, '--output', report], env);
    expect(written.code, written.stderr).toBe(0);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('mysql://root:***@db/x');
    for (const text of [run.stdout + run.stderr, status.stdout, html]) {
      expect(text).not.toContain('s3cretpw');
      expect(text).not.toContain('T0KEN123');
    }
  });
});
