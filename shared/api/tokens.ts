/**
 * Bearer tokens of the user API. A token is `tf_` and 32 random bytes in base64url (43 characters):
 * the prefix lets secret scanners and people recognise one. The store keeps only its SHA-256 hex
 * (`api_tokens.token_hash`): tokens are random, so a fast hash suffices (there is no dictionary to
 * guard against, unlike passwords). The token itself is shown once, by `toolflow token create`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ConfigError } from '../errors.js';
import type { ApiTokenRow, Store } from '../store/store.js';
import { checkOwnerName } from './owner-name.js';

/** What every token starts with. */
export const TOKEN_PREFIX = 'tf_';

/** A token's shape: the prefix and 43 base64url characters (32 bytes). */
const TOKEN_SHAPE = /^tf_[A-Za-z0-9_-]{43}$/;

/** Longest label, characters (`api_tokens.label` is varchar(255)). */
const MAX_LABEL = 255;

/** A new token (never stored as it is). */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** The SHA-256 hex of a token, as `api_tokens.token_hash` keeps it. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** True when `token` has the shape of a token (so a malformed one is refused without a database read). */
export function looksLikeToken(token: string): boolean {
  return TOKEN_SHAPE.test(token);
}

/**
 * Checks an owner name (`owner-name.ts`: the one rule, shared with `TOOLFLOW_OWNER`).
 * @throws ConfigError saying what an owner name may hold.
 */
export function checkOwner(owner: string): string {
  return checkOwnerName(owner);
}

/**
 * Creates a token for `owner` and stores its hash.
 * @returns the token (to show once) and its stored row.
 * @throws ConfigError for a bad owner name or a label longer than 255 characters; the store's errors.
 */
export async function issueToken(store: Store, owner: string, label?: string, now = Date.now()): Promise<{ token: string; row: ApiTokenRow }> {
  checkOwner(owner);
  if (label !== undefined && label.length > MAX_LABEL) throw new ConfigError(`--label is ${label.length} characters long; at most ${MAX_LABEL}`);
  for (;;) {
    const token = newToken();
    const row: ApiTokenRow = { id: randomBytes(8).toString('hex'), owner, token_hash: hashToken(token), label: label ?? null, created_at: now, revoked_at: null };
    // A clash of 64-bit ids (or of 256-bit tokens) is all but impossible; a new draw settles it.
    if (await store.createToken(row)) return { token, row };
  }
}
