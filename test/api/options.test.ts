/**
 * The user API's small rules, on their own: limits from the environment, token shapes and owner
 * names, the opaque page cursor, the download file name header.
 */
import { describe, expect, it } from 'vitest';
import { apiOptionsFromEnv } from '../../shared/api/app.js';
import { contentDisposition } from '../../shared/api/outputs-routes.js';
import { cursorAfter, parseCursor } from '../../shared/api/task-view.js';
import { checkOwner, hashToken, looksLikeToken, newToken } from '../../shared/api/tokens.js';
import { ConfigError } from '../../shared/errors.js';
import type { TaskRow } from '../../shared/store/store.js';

describe('apiOptionsFromEnv', () => {
  it('reads the limits as sizes, and refuses a malformed one naming the variable', () => {
    expect(apiOptionsFromEnv({})).toEqual({});
    expect(apiOptionsFromEnv({ TOOLFLOW_API_SUBMIT_LIMIT: '1Mi', TOOLFLOW_API_UPLOAD_LIMIT: '10G' })).toEqual({ submitBodyLimit: 1024 * 1024, uploadBodyLimit: 10e9 });
    expect(() => apiOptionsFromEnv({ TOOLFLOW_API_UPLOAD_LIMIT: 'lots' })).toThrow(ConfigError);
    expect(() => apiOptionsFromEnv({ TOOLFLOW_API_UPLOAD_LIMIT: 'lots' })).toThrow(/^TOOLFLOW_API_UPLOAD_LIMIT: /);
  });
});

describe('tokens', () => {
  it('are tf_ and 43 base64url characters, all different, hashed to 64 hex characters', () => {
    const a = newToken();
    const b = newToken();
    expect(a).toMatch(/^tf_[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(looksLikeToken(a)).toBe(true);
    expect(looksLikeToken(`${a}x`)).toBe(false);
    expect(hashToken(a)).toMatch(/^[0-9a-f]{64}$/);
    // SHA-256 of the token's UTF-8 bytes (FIPS 180-4 test vector "abc").
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('belong to owners whose names can be a segment of object keys', () => {
    for (const ok of ['ann', 'ann.b', 'a_b-c', 'ann@example.org', 'x'.repeat(128)]) expect(checkOwner(ok)).toBe(ok);
    for (const bad of ['', '.', '..', 'a/b', 'a b', '-a', 'x'.repeat(129), 'a\\b']) expect(() => checkOwner(bad), bad).toThrow(ConfigError);
  });
});

describe('the page cursor', () => {
  it('reads back what it wrote, and refuses anything else with 400', () => {
    const row = { id: 'abc123def456', created_at: 1_700_000_000_123 } as TaskRow;
    expect(parseCursor(cursorAfter(row))).toEqual({ createdAt: 1_700_000_000_123, id: 'abc123def456' });
    for (const bad of ['', 'e30', Buffer.from('[1.5,"a"]').toString('base64url'), Buffer.from('["1","a"]').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
      expect(() => parseCursor(bad), bad).toThrow('cursor is not one this API gave');
    }
  });
});

describe('contentDisposition', () => {
  it('names the file by its last part, with an ASCII fallback and the exact name in filename* (RFC 6266, RFC 8187)', () => {
    expect(contentDisposition('out/counts.txt')).toBe('attachment; filename="counts.txt"; filename*=UTF-8\'\'counts.txt');
    expect(contentDisposition('résumé "1".txt')).toBe('attachment; filename="r_sum_ _1_.txt"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9%20%221%22.txt');
    expect(contentDisposition('a\r\nSet-Cookie: x')).not.toMatch(/[\r\n]/);
  });
});
