import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { once } from '../../shared/cli/options.js';

const BIN = join(__dirname, '..', '..', 'bin', 'toolflow.js');
const exec = promisify(execFile);

describe('an option given at most once', () => {
  it('takes the first value and refuses a second, naming both', () => {
    expect(once('/tmp/o1', undefined)).toBe('/tmp/o1');
    expect(() => once('/tmp/o2', '/tmp/o1')).toThrow('given twice (/tmp/o1, then /tmp/o2); give it once');
  });

  it('run --outdir twice is refused (exit 2) before anything runs', async () => {
    const home = mkdtempSync(join(tmpdir(), 'tf-once-'));
    const r = await exec('node', [BIN, 'run', join(__dirname, '..', '..', 'examples', 'oom-rerun', 'workflow.yaml'), '--outdir', join(home, 'o1'), '--outdir', join(home, 'o2')], { env: { ...process.env, TOOLFLOW_HOME: home } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('given twice');
  });
});
