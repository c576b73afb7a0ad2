/**
 * The user API's authentication: `Authorization: Bearer <token>` (RFC 6750) on every `/v1` route.
 * The token's SHA-256 is looked up in the store (`api_tokens`); a missing, malformed, unknown or
 * revoked token answers `401 UNAUTHENTICATED` with `WWW-Authenticate: Bearer`. The token's owner is
 * then `request.owner`, and every route reads and writes only that owner's tasks and uploads.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../store/store.js';
import { ApiError } from './errors.js';
import { hashToken, looksLikeToken } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The owner of the request's bearer token (set by the authentication hook). */
    owner: string;
  }
}

/** The error of every refused token, as RFC 6750 section 3 describes it. */
function unauthenticated(message: string, invalid: boolean): ApiError {
  const challenge = invalid ? 'Bearer realm="toolflow", error="invalid_token"' : 'Bearer realm="toolflow"';
  return new ApiError(401, 'UNAUTHENTICATED', message, { 'www-authenticate': challenge });
}

const HOW = 'send Authorization: Bearer <token>, with a token from toolflow token create --owner NAME';

/**
 * The owner of a request's bearer token.
 * @throws ApiError 401 for a missing, malformed, unknown or revoked token.
 */
export async function ownerOf(store: Store, request: Pick<FastifyRequest, 'headers'>): Promise<string> {
  const header = request.headers.authorization;
  if (header === undefined) throw unauthenticated(`this route needs a bearer token: ${HOW}`, false);
  const m = /^Bearer +(\S+) *$/i.exec(header);
  if (!m) throw unauthenticated(`the Authorization header is not "Bearer <token>": ${HOW}`, true);
  const token = m[1]!;
  const row = looksLikeToken(token) ? await store.findToken(hashToken(token)) : undefined;
  if (!row) throw unauthenticated(`the bearer token is unknown: ${HOW}`, true);
  if (row.revoked_at !== null) throw unauthenticated(`the bearer token was revoked: ${HOW}`, true);
  return row.owner;
}

/** Makes every route of `scope` (and of its children) need a bearer token. */
export function requireBearer(scope: FastifyInstance, store: Store): void {
  scope.decorateRequest('owner', '');
  scope.addHook('onRequest', async (request) => {
    request.owner = await ownerOf(store, request);
  });
}
