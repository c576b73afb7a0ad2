/**
 * `toolflow token create --owner NAME [--label L]`, `toolflow token list [--owner NAME]`,
 * `toolflow token revoke ID`: the bearer tokens of the user API (`api/tokens.ts`), in the
 * configured store (`api_tokens`). A token is printed once, when created; the store keeps only its
 * SHA-256, so a lost token cannot be shown again (revoke it and create another).
 */
import Table from 'cli-table3';
import { issueToken } from '../api/tokens.js';
import { NotFoundError } from '../errors.js';
import { loadConfig } from '../runtime/config.js';
import { openStore } from '../store/open-store.js';
import type { ApiTokenRow, Store } from '../store/store.js';
import { COMPACT } from './summary.js';

/** Options of `token create`. */
export interface TokenCreateOptions {
  owner: string;
  label?: string;
  json?: boolean;
}

/** Options of `token list`. */
export interface TokenListOptions {
  owner?: string;
  json?: boolean;
}

/** A token as `list --json` prints it (never its hash). Times are ISO 8601 UTC. */
export interface TokenView {
  id: string;
  owner: string;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
}

function tokenView(row: ApiTokenRow): TokenView {
  return {
    id: row.id,
    owner: row.owner,
    label: row.label,
    createdAt: new Date(row.created_at).toISOString(),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
  };
}

/** Runs `work` on the configured store, closed afterwards. */
async function withStore<T>(work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(loadConfig().databasePath);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * Creates a token: prints it alone on stdout (for `TOKEN=$(toolflow token create --owner ann)`),
 * and what it is on stderr; with `json`, one object `{id, owner, label, createdAt, revokedAt, token}`.
 * @returns exit code 0. @throws ConfigError for a bad owner name or label.
 */
export async function tokenCreateCommand(opts: TokenCreateOptions): Promise<number> {
  return withStore(async (store) => {
    const { token, row } = await issueToken(store, opts.owner, opts.label);
    if (opts.json) {
      process.stdout.write(JSON.stringify({ ...tokenView(row), token }) + '\n');
      return 0;
    }
    process.stdout.write(`${token}\n`);
    process.stderr.write(`toolflow: token ${row.id} for owner ${row.owner}${row.label ? ` (${row.label})` : ''}: it is shown this once; send it as "Authorization: Bearer <token>", and revoke it with: toolflow token revoke ${row.id}\n`);
    return 0;
  });
}

/** Lists tokens, newest first (every owner's, or one's): id, owner, label, created, revoked; never a token or its hash. @returns exit code 0. */
export async function tokenListCommand(opts: TokenListOptions): Promise<number> {
  return withStore(async (store) => {
    const rows = await store.listTokens(opts.owner);
    if (opts.json) {
      process.stdout.write(JSON.stringify(rows.map(tokenView)) + '\n');
      return 0;
    }
    if (rows.length === 0) {
      process.stdout.write(opts.owner ? `no tokens of ${opts.owner}\n` : 'no tokens yet; create one with: toolflow token create --owner NAME\n');
      return 0;
    }
    const table = new Table({ head: ['id', 'owner', 'label', 'created', 'revoked'], style: { head: [], border: [] }, chars: COMPACT });
    for (const t of rows.map(tokenView)) table.push([t.id, t.owner, t.label ?? '-', t.createdAt, t.revokedAt ?? '-']);
    process.stdout.write(table.toString() + '\n');
    return 0;
  });
}

/**
 * Revokes a token: the API refuses it from then on. A token revoked already stays so (its first
 * revocation time is kept). @returns exit code 0. @throws NotFoundError for an unknown id.
 */
export async function tokenRevokeCommand(id: string, opts: { json?: boolean }): Promise<number> {
  return withStore(async (store) => {
    const now = Date.now();
    const row = await store.revokeToken(id, now);
    if (!row) throw new NotFoundError(`no token ${id}; toolflow token list shows them`);
    const view = tokenView(row);
    if (opts.json) process.stdout.write(JSON.stringify(view) + '\n');
    else if (row.revoked_at === now) process.stderr.write(`toolflow: token ${id} of ${row.owner} revoked\n`);
    else process.stderr.write(`toolflow: token ${id} of ${row.owner} was already revoked at ${view.revokedAt}\n`);
    return 0;
  });
}
