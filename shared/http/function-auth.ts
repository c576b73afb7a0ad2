/**
 * The shared secret of event-function calls (`TOOLFLOW_FUNCTION_SECRET`; README, "Functions"). An
 * event function is called by toolflow itself (the connector, `toolflow dev`'s own connector), never
 * by users: when a secret is set, a call must carry `Authorization: Bearer <secret>` (RFC 6750's
 * header form), else it is answered `401 {code: "UNAUTHENTICATED", message}` and nothing is done.
 * Health endpoints are not behind it (they never reach `answerEvent`).
 *
 * The comparison is constant-time (`crypto.timingSafeEqual` on the SHA-256 digests of both, so
 * lengths never differ and a wrong secret's length does not show in the timing either).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { errorAnswer, header, type FunctionAnswer } from './function-http.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** The bearer token of an `Authorization` header (scheme case-insensitive, RFC 9110 §11.1), or undefined. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const m = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header(headers, 'authorization') ?? '');
  return m?.[1];
}

/**
 * Checks a call to an event function against `secret`.
 * @param secret `Config.functionSecret`; undefined: every call is let through.
 * @returns undefined when the call may go on, else the `401 UNAUTHENTICATED` answer to give (it
 *   names the header to send, never the secret).
 */
export function refuseUnauthenticated(headers: IncomingHttpHeaders, secret: string | undefined): FunctionAnswer | undefined {
  if (secret === undefined) return undefined;
  const token = bearerToken(headers);
  if (token !== undefined && timingSafeEqual(digest(token), digest(secret))) return undefined;
  const answer = errorAnswer(
    401,
    'UNAUTHENTICATED',
    `${token === undefined ? 'no bearer token' : 'a wrong bearer token'}: event functions take calls from toolflow's connector only, with Authorization: Bearer <TOOLFLOW_FUNCTION_SECRET> (set the same TOOLFLOW_FUNCTION_SECRET on the caller and on the function)`,
  );
  // RFC 6750 §3: a 401 names the scheme the resource takes.
  return { ...answer, headers: { ...answer.headers, 'www-authenticate': 'Bearer realm="toolflow-functions"' } };
}

/** The header that authenticates a call with `secret` (none when undefined). */
export function authorizationHeader(secret: string | undefined): Record<string, string> {
  return secret === undefined ? {} : { authorization: `Bearer ${secret}` };
}

/** A fresh random secret (32 random bytes, hex): `toolflow dev`'s own when none is configured. */
export function randomFunctionSecret(): string {
  return randomBytes(32).toString('hex');
}
