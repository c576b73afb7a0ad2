/**
 * A DingTalk custom robot ("自定义机器人", group webhook): signing, one markdown message, and what
 * its answer means.
 *
 * - **Request**: `POST <webhook URL>` (`https://oapi.dingtalk.com/robot/send?access_token=…`), JSON
 *   in UTF-8, `{"msgtype": "markdown", "markdown": {"title", "text"}}`.
 * - **Signing** (the robot's "加签" security setting): `stringToSign = timestamp + "\n" + secret`,
 *   `timestamp` in milliseconds (DingTalk refuses one more than 1 hour from its clock);
 *   HMAC-SHA256 keyed with the secret, both UTF-8; Base64; URL-encoded **once**; appended as
 *   `&timestamp=<ms>&sign=<encoded>` (DingTalk's "custom robot security settings" page,
 *   help.dingtalk.io/open/dingstart/customize-robot-security-settings). Base64 holds `+`, `/` and
 *   `=`: left raw, a `+` is read back as a space; encoded twice, `%2B` is read back as `%2B`;
 *   either way DingTalk answers `310000 sign not match`.
 * - **Answer**: HTTP 200 even on failure, with `{"errcode", "errmsg"}`: success is `errcode` 0, so the
 *   body is always checked, never the status alone.
 *
 * What each errcode means here (`classifyErrcode`), with where it was read:
 *
 * | errcode | meaning | kind |
 * | --- | --- | --- |
 * | `0` | sent | |
 * | `130101` | "send too fast, exceed 20 times per minute" (seen in ccfos/nightingale#369); DingTalk then throttles the robot for 10 minutes (its custom robot documentation, "消息发送频率限制") | `rate-limited` |
 * | `410100` | "发送速度太快而限流", sending too fast (DingTalk's custom robot error-code table; not re-checked against the live page) | `rate-limited` |
 * | `-1` | "系统繁忙", busy: "try again once, at most 3 times" (DingTalk's global error codes) | `retryable` |
 * | `310000` | a security setting refused it: `sign not match` (x-cold/dingtalk-robot#7), `invalid timestamp` (jenkinsci/dingtalk-plugin#116), `keywords not in content` (timonwong/prometheus-webhook-dingtalk#197), an IP not in the allow-list | `permanent` |
 * | `300001`, `300005` | `token is not exist`: a wrong or deleted `access_token` (answers seen by robot clients) | `permanent` |
 * | `400000`–`499999` | the robot or the message is refused: `400013` group disbanded, `400101` no such access_token, `400102` robot disabled, `400105` message type not supported, `400106` no such robot, `430101`–`430104` unsafe link, text, image or content (DingTalk's custom robot error-code table, as for 410100) | `permanent` |
 * | any other | unknown | `retryable` (bounded) |
 *
 * HTTP statuses: 5xx, 408 and 429 are `retryable`, and so is a network error or a timeout; another
 * 4xx (a wrong path) is `permanent`. An answer that is not `{errcode}` JSON is `retryable`.
 *
 * Secrets: the URL's `access_token`, the signing secret and the `sign` never reach a message or a log:
 * robots are named by their label and masked URL (`maskTargetUrl`), and an error text from fetch is
 * scrubbed of them.
 */
import { createHmac } from 'node:crypto';
import { NotifyTargetError, type FailureKind } from './notify-errors.js';
import { maskTargetUrl, scrub, type RobotSettings } from './notify-settings.js';
import { REQUEST_TIMEOUT_MS, requestSignal } from './retry.js';

/** A markdown message: `title` (shown in the chat list and notifications) and `text` (markdown). */
export interface MarkdownMessage {
  title: string;
  text: string;
}

/** DingTalk's errcodes that say the robot is sending too fast. */
export const RATE_LIMIT_ERRCODES: readonly number[] = [130101, 410100];
/** DingTalk's errcodes of a refused token. */
export const TOKEN_ERRCODES: readonly number[] = [300001, 300005];
/** DingTalk's errcode of a refused security setting (signature, timestamp, keyword, IP). */
export const SECURITY_ERRCODE = 310000;

/**
 * The signature of `timestampMs` for `secret`: Base64 of HMAC-SHA256(secret, `${timestampMs}\n${secret}`),
 * not yet URL-encoded.
 */
export function dingTalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/**
 * The URL to POST to: the robot's URL, with `&timestamp=<ms>&sign=<sign, URL-encoded once>` when it
 * has a secret. The robot's own query (its `access_token`) is left exactly as configured.
 */
export function signedUrl(robot: Pick<RobotSettings, 'url' | 'secret'>, timestampMs: number): string {
  if (!robot.secret) return robot.url;
  const sep = robot.url.includes('?') ? '&' : '?';
  return `${robot.url}${sep}timestamp=${timestampMs}&sign=${encodeURIComponent(dingTalkSign(robot.secret, timestampMs))}`;
}

/** What a DingTalk `errcode` means (the table above); `ok` for 0. */
export function classifyErrcode(errcode: number): FailureKind | 'ok' {
  if (errcode === 0) return 'ok';
  if (RATE_LIMIT_ERRCODES.includes(errcode)) return 'rate-limited';
  if (errcode === SECURITY_ERRCODE || TOKEN_ERRCODES.includes(errcode)) return 'permanent';
  if (errcode >= 400_000 && errcode <= 499_999) return 'permanent';
  return 'retryable';
}

/** What to do about an errcode, for people: appended to the error message. */
function advice(errcode: number): string {
  if (errcode === SECURITY_ERRCODE) {
    return 'a security setting of the robot refused it: check TOOLFLOW_NOTIFY_DINGTALK_SECRET against the robot\'s signing secret (SEC…), this machine\'s clock (within 1 hour), the robot\'s keywords (toolflow\'s messages contain "toolflow") and its IP allow-list';
  }
  if (TOKEN_ERRCODES.includes(errcode)) return 'the access_token is not a robot\'s: check the URL in TOOLFLOW_NOTIFY_DINGTALK_URL';
  if (RATE_LIMIT_ERRCODES.includes(errcode)) return 'the robot takes 20 messages a minute and is throttled for 10 minutes past that; the message goes into a digest';
  if (errcode >= 400_000 && errcode <= 499_999) return 'the robot refuses it (robot disabled or deleted, group disbanded, or content it does not take): not sent again';
  return 'tried again';
}

/** Options of `sendMarkdown`. */
export interface SendOptions {
  /** The clock of the signature's timestamp, epoch ms. Default Date.now. */
  now?: () => number;
  /** How long the request may take, ms. Default `REQUEST_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** Aborts the request (the notifier's `abort()`: the process is closing); the send then fails `permanent`. */
  signal?: AbortSignal;
}

/** The errcode of a robot's JSON answer, or undefined when it is not one. */
function errcodeOf(text: string): { errcode: number; errmsg: string } | undefined {
  try {
    const body = JSON.parse(text) as { errcode?: unknown; errmsg?: unknown };
    if (typeof body.errcode === 'number' && Number.isInteger(body.errcode)) return { errcode: body.errcode, errmsg: typeof body.errmsg === 'string' ? body.errmsg : '' };
  } catch {
    // not JSON
  }
  return undefined;
}

/**
 * Sends `message` to `robot` as markdown, signed when it has a secret.
 * @returns once the robot answered `errcode` 0.
 * @throws NotifyTargetError whose `kind` says what the failure means (the table above); its
 *   message names the robot by label and masked URL, with the errcode and errmsg, and what to do.
 */
export async function sendMarkdown(robot: RobotSettings, message: MarkdownMessage, options: SendOptions = {}): Promise<void> {
  const where = `DingTalk ${robot.label} (${maskTargetUrl(robot.url)})`;
  const timestamp = (options.now ?? Date.now)();
  const url = signedUrl(robot, timestamp);
  const sign = robot.secret ? dingTalkSign(robot.secret, timestamp) : '';
  const secrets = [url, robot.url, robot.secret ?? '', sign, new URL(robot.url).searchParams.get('access_token') ?? ''].filter((s) => s.length >= 4);
  const body = JSON.stringify({ msgtype: 'markdown', markdown: { title: message.title, text: message.text } });
  let status: number;
  let text: string;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
      redirect: 'manual',
      signal: requestSignal(options.timeoutMs ?? REQUEST_TIMEOUT_MS, options.signal),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    if (options.signal?.aborted) throw new NotifyTargetError('permanent', `${where}: not sent: the process is closing`);
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const reason = e.name === 'TimeoutError' ? `no answer within ${options.timeoutMs ?? REQUEST_TIMEOUT_MS} ms` : `${e.cause?.code ?? ''} ${e.cause?.message ?? e.message}`.trim();
    throw new NotifyTargetError('retryable', scrub(`${where} could not be reached: ${reason}; tried again`, secrets));
  }
  const answer = errcodeOf(text);
  if (status < 200 || status >= 300) {
    const kind: FailureKind = status >= 500 || status === 408 || status === 429 ? 'retryable' : 'permanent';
    const detail = answer ? ` (errcode ${answer.errcode} ${answer.errmsg})` : '';
    throw new NotifyTargetError(kind, scrub(`${where} answered HTTP ${status}${detail}; ${kind === 'permanent' ? 'not sent again: check the URL' : 'tried again'}`, secrets), { status, ...(answer ? { errcode: answer.errcode } : {}) });
  }
  if (!answer) throw new NotifyTargetError('retryable', scrub(`${where} answered HTTP ${status} without an errcode (${text.slice(0, 200)}); tried again`, secrets), { status });
  const kind = classifyErrcode(answer.errcode);
  if (kind === 'ok') return;
  throw new NotifyTargetError(kind, scrub(`${where} refused the message: errcode ${answer.errcode} ${answer.errmsg}; ${advice(answer.errcode)}`, secrets), { status, errcode: answer.errcode });
}
