// ensureDir (shared/ensure-dir.ts): folders and their missing parents, in as few system calls as the
// common cases allow, with the errors of the slow path.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDir } from '../shared/ensure-dir.js';
import { tempDir } from './support/tmp.js';

const dir = tempDir();

describe('ensureDir', () => {
  it('makes a folder whose parent exists, one whose grandparent exists (an attempt dir), and a deep one', () => {
    for (const p of [join(dir, 'a'), join(dir, 'b', 'attempt-1'), join(dir, 'c', 'd', 'e', 'f')]) {
      ensureDir(p);
      expect(statSync(p).isDirectory()).toBe(true);
    }
  });

  it('accepts a folder that exists, and refuses a file in the way (ENOTDIR), also as a parent', () => {
    mkdirSync(join(dir, 'there'));
    ensureDir(join(dir, 'there'));
    writeFileSync(join(dir, 'file'), 'x');
    expect(() => ensureDir(join(dir, 'file'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(() => ensureDir(join(dir, 'file', 'sub'))).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
  });

  it('fails at once where the parent refuses new entries with ENOENT (/proc), where recursive mkdir loops forever', () => {
    expect(() => ensureDir('/proc/toolflow-x/y')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
