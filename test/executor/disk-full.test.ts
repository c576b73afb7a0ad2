// Issue 7, section 3: a full disk, told from the work dir itself. A real 5 MiB tmpfs (the tests run as
// root), used as the task's recorded work folder (`workRoot`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../shared/executor/local/local-executor.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { classifyExit } from '../../shared/policy/classify.js';
import { decideRerun } from '../../shared/policy/rerun.js';
import { DEFAULT_RETRY } from '../../shared/spec/load.js';
import { formatBytes } from '../../shared/spec/resources.js';
import { tempDir } from '../support/tmp.js';
import { request, runAttempt } from './helpers.js';

const Mi = 1024 * 1024;
const dir = tempDir();
const small = mkdtempSync(join(tmpdir(), 'toolflow-small-'));
const executor = new LocalExecutor({ root: join(dir, 'work'), objects: new LocalObjectStore(join(dir, 'objects')) });

beforeAll(() => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=5m', 'tmpfs', small]);
});
afterAll(async () => {
  await executor.close();
  execFileSync('umount', [small]);
  rmdirSync(small);
});

describe('a full disk under the work dir', () => {
  it('fill.yaml with --workdir on a full 5m tmpfs: stderr.log is empty there, yet the reason is disk and names the filesystem', async () => {
    const req = request(['head -c 20000000 /dev/zero > big.bin'], { workRoot: small });
    const { exit } = await runAttempt(executor, req);
    expect(exit.exitCode).toBe(1);
    expect(exit.stderrTail).toBe(''); // head's "No space left on device" could not be written either
    expect(exit.diskFull).toEqual({ path: small, freeBytes: expect.any(Number), totalBytes: 5 * Mi, freeInodes: expect.any(Number) });
    const free = exit.diskFull!.freeBytes; // 0, or the page of the pid file removed at exit
    expect(free).toBeLessThanOrEqual(8192);
    expect(existsSync(join(small, req.taskId, req.tool, 'attempt-1', 'big.bin'))).toBe(true); // workRoot honoured
    const failure = classifyExit(exit, req.resources.memBytes)!;
    expect(failure).toEqual({ reason: 'disk', message: `no space left on device: ${small} has ${formatBytes(free)} free of 5Mi` });
    // The local executor does not enforce disk: no "rerun with 20M, 40M disk" on the same filesystem.
    const decision = decideRerun({ ...failure, attempt: 1, resources: { ...req.resources, diskBytes: 10e6 }, retry: DEFAULT_RETRY, capacity: executor.capacity });
    expect(decision).toEqual({
      action: 'fail',
      message: `no space left on device: ${small} has ${formatBytes(free)} free of 5Mi; the local executor cannot give a tool more disk — free space or use another --workdir`,
    });
  });

  it('ENOSPC from its own write of command.sh ends the attempt at once as disk, without starting it', async () => {
    execFileSync('bash', ['-c', 'head -c 1000000 /dev/zero > "$1/filler" 2>/dev/null || true', 'fill', small]);
    const req = request(['echo never > ran.txt'], { workRoot: small });
    const { reports, exit } = await runAttempt(executor, req);
    expect(reports.map((r) => r.kind)).toEqual(['exit']);
    expect(exit.stderrTail).toMatch(/ENOSPC/);
    expect(exit.diskFull).toMatchObject({ path: small, freeBytes: 0, totalBytes: 5 * Mi });
    expect(classifyExit(exit, req.resources.memBytes)!.reason).toBe('disk');
  });

  it('once space is freed, a plain failure on that filesystem is exit again', async () => {
    rmSync(join(small, 'task1'), { recursive: true, force: true });
    rmSync(join(small, 'filler'));
    const { exit } = await runAttempt(executor, request(['echo oops >&2', 'exit 3'], { workRoot: small }));
    expect(exit.diskFull).toBeUndefined();
    expect(exit.stderrTail).toBe('oops\n');
    expect(classifyExit(exit, 256e6)).toEqual({ reason: 'exit', message: 'exited with code 3' });
  });
});
