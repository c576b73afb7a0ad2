/**
 * How a failed call to the Kubernetes API is told apart: the HTTP status of the client's
 * `ApiException` (`code`), and the `message` of the `Status` object the API server answers with
 * (API concepts, "Responses": `{"kind":"Status","reason":"AlreadyExists","code":409,...}`).
 */
import { ServiceUnavailableError } from '../../errors.js';

/** The HTTP status of a failed call, or undefined when no answer came (connection refused, reset, DNS). */
export function statusCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | null;
  if (typeof e?.code === 'number') return e.code;
  if (typeof e?.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** The API server's own words: the `message` of the Status in the error's body, else the error's first line. */
export function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown } | null)?.body;
  const status = typeof body === 'string' ? safeParse(body) : body;
  const message = (status as { message?: unknown } | undefined)?.message;
  if (typeof message === 'string' && message) return message;
  return String((err as Error | null)?.message ?? err).split('\n')[0]!;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The error to throw for a failed call: a `ServiceUnavailableError` when the API did not answer, or
 * answered 429 (too many requests) or 5xx (the caller tries again later), a plain Error with the API
 * server's message for any other status (422 Invalid, 403 Forbidden…: the request itself is wrong).
 * @param doing what was being done, for the message (`creating Job tf-…`).
 * @param redact strings taken out of the message (the attempt's token, if the server echoed it).
 */
export function apiError(err: unknown, doing: string, redact: string[] = []): Error {
  const code = statusCode(err);
  let message = apiMessage(err);
  for (const r of redact) if (r) message = message.replaceAll(r, '[redacted]');
  if (code === undefined || code === 429 || code >= 500) {
    return new ServiceUnavailableError(`the Kubernetes API ${code === undefined ? 'did not answer' : `answered ${code}`} while ${doing}: ${message}`, { cause: err });
  }
  return new Error(`the Kubernetes API refused ${doing} (${code}): ${message}`);
}
