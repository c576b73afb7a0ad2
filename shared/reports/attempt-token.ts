/**
 * Per-attempt report tokens. A sidecar carries the token of its own attempt and nothing else, so a
 * report can only speak for that attempt: the token is HMAC-SHA256 (RFC 2104) over the attempt's
 * identity with the deployment's report secret (`TOOLFLOW_REPORT_SECRET`), base64url without
 * padding. Whoever holds the secret (the work manager, schedule-tool) can mint and check tokens
 * without storing them, so a restarted work manager checks the tokens of attempts it did not start.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The attempt a token speaks for. */
export interface TokenSubject {
  taskId: string;
  tool: string;
  /** 1-based attempt number. */
  attempt: number;
}

/**
 * The token of one attempt: 43 base64url characters. Fields are NUL-separated (no field can hold a
 * NUL: task ids and tool names are checked at submit), prefixed with the token version.
 */
export function attemptToken(secret: string, s: TokenSubject): string {
  return createHmac('sha256', secret).update(`v1\0${s.taskId}\0${s.tool}\0${s.attempt}`).digest('base64url');
}

/** True when `token` is the token of `s` (constant-time compare; any other string is false). */
export function checkAttemptToken(secret: string, s: TokenSubject, token: string): boolean {
  const want = Buffer.from(attemptToken(secret, s));
  const got = Buffer.from(token);
  return got.length === want.length && timingSafeEqual(got, want);
}
