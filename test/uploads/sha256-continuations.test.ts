/**
 * The live SHA-256 of an upload between its writes (`sha256-continuations.ts`): started at offset
 * 0, continued only at the offset it hashed up to, taken out while a write runs, bounded.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256Continuations } from '../../shared/uploads/sha256-continuations.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('SHA-256 continuations', () => {
  it('continues a hash at the offset it reached, giving the SHA-256 of the whole', () => {
    const c = new Sha256Continuations();
    const h = c.take('a', 0)!;
    h.update('hello ');
    c.keep('a', h, 6);
    expect(c.offsetOf('a')).toBe(6);
    const again = c.take('a', 6)!;
    expect(again).toBe(h);
    expect(c.offsetOf('a')).toBeUndefined(); // taken out while the write runs
    again.update('world');
    expect(again.digest('hex')).toBe(sha('hello world'));
  });

  it('gives no hash at another offset, nor to a second write while one runs, and drops the mismatched one', () => {
    const c = new Sha256Continuations();
    const h = c.take('a', 0)!;
    h.update('abc');
    c.keep('a', h, 3);
    expect(c.take('a', 5)).toBeUndefined();
    expect(c.take('a', 3)).toBeUndefined(); // dropped by the mismatch
    c.keep('b', c.take('b', 0)!, 0);
    expect(c.take('b', 0)).toBeDefined();
    expect(c.take('b', 0)).toBeDefined(); // offset 0 always starts afresh
    expect(c.take('never', 10)).toBeUndefined();
  });

  it('starts afresh at offset 0 whatever it kept', () => {
    const c = new Sha256Continuations();
    const h = c.take('a', 0)!;
    h.update('stale');
    c.keep('a', h, 5);
    const fresh = c.take('a', 0)!;
    expect(fresh).not.toBe(h);
    expect(fresh.digest('hex')).toBe(sha(''));
  });

  it('keeps at most maxEntries, dropping the least recently kept; drop forgets one', () => {
    const c = new Sha256Continuations(2);
    c.keep('a', c.take('a', 0)!, 1);
    c.keep('b', c.take('b', 0)!, 1);
    c.keep('a', c.take('a', 1)!, 2); // a kept again: now the newest
    c.keep('c', c.take('c', 0)!, 1);
    expect(c.size).toBe(2);
    expect(c.offsetOf('b')).toBeUndefined();
    expect(c.offsetOf('a')).toBe(2);
    c.drop('a');
    expect(c.offsetOf('a')).toBeUndefined();
    expect(c.size).toBe(1);
  });
});
