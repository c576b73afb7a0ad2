/**
 * The upload settings of the environment (issue 11, "Limits"). A module of its own, light (no tus,
 * no S3), so that `loadConfig` checks them before any command opens a connection: a malformed
 * `TOOLFLOW_UPLOAD_LIMIT` is exit 2 at once, in `serve`, `dev`, `run`, `upload` and the functions.
 */
import { ConfigError } from '../errors.js';
import { parseBytes } from '../spec/resources.js';
import { DEFAULT_UPLOAD_SETTINGS, type UploadSettings } from './upload-doc.js';
import { quotedName } from './upload-names.js';

/** Most bytes of a part S3 takes (5 GiB); the least is 5 MiB (Amazon S3 multipart upload limits). */
const PART_LIMITS = { min: 5 * 1024 * 1024, max: 5 * 1024 ** 3 };

/**
 * Upload settings from the environment, defaults from `DEFAULT_UPLOAD_SETTINGS`:
 * `TOOLFLOW_UPLOAD_LIMIT` (largest file; `TOOLFLOW_API_UPLOAD_LIMIT` read when it is unset),
 * `TOOLFLOW_UPLOAD_QUOTA` (per owner), `TOOLFLOW_UPLOAD_PART_BYTES` (5 MiB–5 GiB) — sizes as bytes
 * or with a unit K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (`parseBytes`) — and
 * `TOOLFLOW_UPLOAD_EXPIRE_SECONDS` (idle seconds before an ongoing upload is aborted, > 0).
 * @throws ConfigError naming the variable of a malformed value.
 */
export function uploadSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): UploadSettings {
  const value = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const size = (name: string): number | undefined => {
    const v = value(name);
    if (v === undefined) return undefined;
    try {
      return parseBytes(v);
    } catch (err) {
      throw new ConfigError(`${name}: ${(err as Error).message}`);
    }
  };
  const limitName = value('TOOLFLOW_UPLOAD_LIMIT') !== undefined ? 'TOOLFLOW_UPLOAD_LIMIT' : 'TOOLFLOW_API_UPLOAD_LIMIT';
  const settings = { ...DEFAULT_UPLOAD_SETTINGS };
  settings.maxFileBytes = size(limitName) ?? settings.maxFileBytes;
  settings.quotaBytes = size('TOOLFLOW_UPLOAD_QUOTA') ?? settings.quotaBytes;
  const part = size('TOOLFLOW_UPLOAD_PART_BYTES');
  if (part !== undefined && (part < PART_LIMITS.min || part > PART_LIMITS.max)) {
    throw new ConfigError(`TOOLFLOW_UPLOAD_PART_BYTES: ${part} bytes is outside S3's part sizes; give 5Mi to 5Gi`);
  }
  settings.partBytes = part ?? settings.partBytes;
  const expire = value('TOOLFLOW_UPLOAD_EXPIRE_SECONDS');
  if (expire !== undefined) {
    const seconds = Number(expire);
    if (!(Number.isFinite(seconds) && seconds > 0)) throw new ConfigError(`TOOLFLOW_UPLOAD_EXPIRE_SECONDS: ${quotedName(expire)} is not a number of seconds above 0 (86400 is a day)`);
    settings.expireAfterMs = Math.round(seconds * 1000);
  }
  return settings;
}

