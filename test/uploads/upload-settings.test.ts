import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/errors.js';
import { DEFAULT_UPLOAD_SETTINGS } from '../../shared/uploads/upload-doc.js';
import { uploadSettingsFromEnv } from '../../shared/uploads/uploads.js';

describe('upload settings from the environment', () => {
  it('takes the defaults when nothing is set', () => {
    expect(uploadSettingsFromEnv({})).toEqual(DEFAULT_UPLOAD_SETTINGS);
    expect(uploadSettingsFromEnv({ TOOLFLOW_UPLOAD_LIMIT: '' })).toEqual(DEFAULT_UPLOAD_SETTINGS);
  });

  it('reads sizes with units, seconds, and the API limit as an alias of the per-file limit', () => {
    expect(uploadSettingsFromEnv({ TOOLFLOW_UPLOAD_LIMIT: '5G', TOOLFLOW_UPLOAD_QUOTA: '2Ti', TOOLFLOW_UPLOAD_EXPIRE_SECONDS: '3600', TOOLFLOW_UPLOAD_PART_BYTES: '16Mi' })).toEqual({
      maxFileBytes: 5e9,
      quotaBytes: 2 * 1024 ** 4,
      expireAfterMs: 3_600_000,
      partBytes: 16 * 1024 * 1024,
    });
    expect(uploadSettingsFromEnv({ TOOLFLOW_API_UPLOAD_LIMIT: '1k' }).maxFileBytes).toBe(1000);
    expect(uploadSettingsFromEnv({ TOOLFLOW_API_UPLOAD_LIMIT: '1k', TOOLFLOW_UPLOAD_LIMIT: '2048' }).maxFileBytes).toBe(2048);
  });

  it.each([
    [{ TOOLFLOW_UPLOAD_LIMIT: '5GG' }, /^TOOLFLOW_UPLOAD_LIMIT: "5GG" is not a size/],
    [{ TOOLFLOW_API_UPLOAD_LIMIT: '-1' }, /^TOOLFLOW_API_UPLOAD_LIMIT: /],
    [{ TOOLFLOW_UPLOAD_QUOTA: 'lots' }, /^TOOLFLOW_UPLOAD_QUOTA: "lots" is not a size/],
    [{ TOOLFLOW_UPLOAD_PART_BYTES: '1Mi' }, /^TOOLFLOW_UPLOAD_PART_BYTES: 1048576 bytes is outside S3's part sizes; give 5Mi to 5Gi$/],
    [{ TOOLFLOW_UPLOAD_PART_BYTES: '6Gi' }, /^TOOLFLOW_UPLOAD_PART_BYTES: 6442450944 bytes is outside/],
    [{ TOOLFLOW_UPLOAD_EXPIRE_SECONDS: '0' }, /^TOOLFLOW_UPLOAD_EXPIRE_SECONDS: "0" is not a number of seconds above 0/],
    [{ TOOLFLOW_UPLOAD_EXPIRE_SECONDS: 'a day' }, /^TOOLFLOW_UPLOAD_EXPIRE_SECONDS: "a day" is not/],
  ])('refuses %j naming the variable', (env, message) => {
    const err = (() => {
      try {
        uploadSettingsFromEnv(env);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
  });
});
