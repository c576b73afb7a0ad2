/**
 * Passed-through variables are known only when a tool starts: one too large for any exec fails the
 * tool at launch with the reason, instead of "Argument list too long" from each command.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toolflow } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

describe('the environment of a tool', () => {
  it('passed-through values over the limit fail the tool at launch (reason config) with the limit named', async () => {
    const home = tempDir();
    const wf = join(home, 'pv.yaml');
    writeFileSync(wf, `name: pv\nenvvars: [${Array.from({ length: 10 }, (_, i) => `PV${i}`).join(', ')}]\ntools:\n  - {name: t, cmds: ["/bin/true"]}\n`);
    const big = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`PV${i}`, 'x'.repeat(120_000)]));
    const r = await toolflow(['run', wf, '--json'], { TOOLFLOW_HOME: home, ...big });
    expect(r.code).toBe(1);
    const t = (JSON.parse(r.stdout) as { tools: { reason: string; message: string }[] }).tools[0]!;
    expect(t.reason).toBe('config');
    expect(r.stdout).toContain('more than the 1048576-byte limit');
    expect(r.stdout).not.toContain('Argument list too long');
  });
});
