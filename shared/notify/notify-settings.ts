/**
 * The settings of the `notify` function, from the environment (documented for users in the
 * README's "Notifications"):
 *
 * | variable | meaning | default |
 * | --- | --- | --- |
 * | `TOOLFLOW_NOTIFY_DINGTALK_URL` | DingTalk custom robots' webhook URLs (`https://oapi.dingtalk.com/robot/send?access_token=…`), comma-separated | none |
 * | `TOOLFLOW_NOTIFY_DINGTALK_SECRET` | their signing secrets (`SEC…`, the robot's "加签" setting), comma-separated in the same order; an empty entry for a robot that does not sign | none: unsigned |
 * | `TOOLFLOW_NOTIFY_WEBHOOK_URL` | a generic webhook: every notification is POSTed there as JSON (`webhook.ts`) | none |
 * | `TOOLFLOW_NOTIFY_EVENTS` | the event types that notify, comma-separated, among `NOTIFIABLE_TYPES` (`task.failed` or `io.toolflow.task.failed`); `none` for none (Alertmanager alerts still go) | `task.failed` |
 * | `TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN` | the bearer token Alertmanager's webhook receiver must send (`http_config.authorization.credentials`); 16 visible ASCII characters at least | unset: Alertmanager webhooks are refused (401) |
 *
 * The URLs carry credentials (DingTalk's `access_token`; a webhook's path or query often holds
 * one too), so they are secrets: never logged or put in a message whole (`maskTargetUrl`).
 * Nothing set means nothing is sent: the function takes its events and does nothing (and says so
 * once in its log).
 */
import { ConfigError } from '../errors.js';
import { EventType, type EventTypeName } from '../events/catalog.js';
import { secretFrom } from '../runtime/config.js';

/** The event types the notify function consumes; which of them notify is `TOOLFLOW_NOTIFY_EVENTS`'s choice. */
export const NOTIFIABLE_TYPES: EventTypeName[] = [EventType.taskFailed, EventType.taskSucceeded, EventType.taskCancelled, EventType.toolFailed, EventType.toolRetrying];

/** What notifies when `TOOLFLOW_NOTIFY_EVENTS` is unset: a task that failed. */
export const DEFAULT_NOTIFY_EVENTS: EventTypeName[] = [EventType.taskFailed];

/** One DingTalk custom robot. */
export interface RobotSettings {
  /** `robot 1`, `robot 2`…: how messages and logs name it (its URL holds its token). */
  label: string;
  /** Its webhook URL, `access_token` included. A secret. */
  url: string;
  /** Its signing secret (`SEC…`), when its security setting is signing. A secret. */
  secret?: string;
}

/** The notify function's settings. */
export interface NotifySettings {
  robots: RobotSettings[];
  /** The generic JSON webhook's URL. A secret. */
  webhookUrl?: string;
  /** The event types that notify (a subset of `NOTIFIABLE_TYPES`). */
  events: EventTypeName[];
  /** The bearer token Alertmanager must send; undefined: Alertmanager webhooks are refused. A secret. */
  alertmanagerToken?: string;
}

/** Splits a comma-separated variable, trimming entries (empty entries kept: they mean "none"). */
function list(value: string | undefined): string[] {
  return value === undefined || value.trim() === '' ? [] : value.split(',').map((e) => e.trim());
}

/**
 * An http(s) URL, checked.
 * @throws ConfigError naming `variable` (never the URL itself, which holds a token).
 */
function httpUrl(value: string, variable: string, what: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol)) throw new ConfigError(`${variable}: ${what} must be an http:// or https:// URL (the value is not shown: it holds a token)`);
  // fetch refuses a URL with credentials (WHATWG Fetch: "Request cannot be constructed from a URL that includes credentials").
  if (parsed.username || parsed.password) throw new ConfigError(`${variable}: ${what} holds a user name or password (user:password@): they cannot be sent that way; put the token in the URL's path or query instead (the value is not shown)`);
  return value;
}

/** `task.failed` or `io.toolflow.task.failed` → the type, or undefined. */
function notifiableType(name: string): EventTypeName | undefined {
  const full = name.startsWith('io.toolflow.') ? name : `io.toolflow.${name}`;
  return NOTIFIABLE_TYPES.find((t) => t === full);
}

/**
 * Reads the notify settings.
 * @throws ConfigError naming the variable: a URL that is not http(s), holds `user:password@`, or an empty entry, secrets
 *   given but not one per robot, an unknown event type (listing those taken), an
 *   Alertmanager token shorter than 16 characters or not visible ASCII.
 */
export function notifySettings(env: NodeJS.ProcessEnv): NotifySettings {
  const urls = list(env.TOOLFLOW_NOTIFY_DINGTALK_URL);
  const secrets = list(env.TOOLFLOW_NOTIFY_DINGTALK_SECRET);
  if (urls.some((u) => u === '')) throw new ConfigError('TOOLFLOW_NOTIFY_DINGTALK_URL has an empty entry: give the robots\' webhook URLs, comma-separated');
  if (secrets.length && secrets.length !== urls.length) {
    throw new ConfigError(
      `TOOLFLOW_NOTIFY_DINGTALK_SECRET has ${secrets.length} entr${secrets.length === 1 ? 'y' : 'ies'} for ${urls.length} robot${urls.length === 1 ? '' : 's'} in TOOLFLOW_NOTIFY_DINGTALK_URL: give one secret per robot, in the same order (an empty entry for a robot that does not sign)`,
    );
  }
  const robots = urls.map((u, i): RobotSettings => {
    const label = `robot ${i + 1}`;
    const url = httpUrl(u, 'TOOLFLOW_NOTIFY_DINGTALK_URL', `the URL of ${label}`);
    const secret = secrets[i];
    return { label, url, ...(secret ? { secret } : {}) };
  });
  const webhook = env.TOOLFLOW_NOTIFY_WEBHOOK_URL?.trim();
  const webhookUrl = webhook ? httpUrl(webhook, 'TOOLFLOW_NOTIFY_WEBHOOK_URL', 'the webhook URL') : undefined;

  let events = DEFAULT_NOTIFY_EVENTS;
  const named = list(env.TOOLFLOW_NOTIFY_EVENTS).filter(Boolean);
  if (named.length === 1 && named[0] === 'none') events = [];
  else if (named.length) {
    events = named.map((n) => {
      const type = notifiableType(n);
      if (!type) throw new ConfigError(`TOOLFLOW_NOTIFY_EVENTS: "${n}" is not an event that notifies; use some of ${NOTIFIABLE_TYPES.map((t) => t.replace(/^io\.toolflow\./, '')).join(', ')}, or none`);
      return type;
    });
    events = [...new Set(events)];
  }
  const alertmanagerToken = secretFrom(env, 'TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN');
  return { robots, ...(webhookUrl ? { webhookUrl } : {}), events, ...(alertmanagerToken ? { alertmanagerToken } : {}) };
}

/** The secrets of `settings` (URLs, tokens, signing secrets), for scrubbing text before it is logged. */
export function secretsOf(settings: NotifySettings): string[] {
  const out: string[] = [];
  for (const r of settings.robots) {
    out.push(r.url);
    const token = tokenOf(r.url);
    if (token) out.push(token);
    if (r.secret) out.push(r.secret);
  }
  if (settings.webhookUrl) out.push(settings.webhookUrl);
  if (settings.alertmanagerToken) out.push(settings.alertmanagerToken);
  return out.filter((s) => s.length >= 4);
}

/** The `access_token` of a robot URL, if any. */
function tokenOf(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('access_token') ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * A target URL for messages and logs: scheme, host and port, the path only when it holds no
 * credential, every query value as `***` (`https://oapi.dingtalk.com/robot/send?access_token=***`).
 * A webhook's path may be its credential (`/services/T0/B0/XXXX`), so only the first segment is
 * kept (`https://hooks.example.com/services/…`). User information becomes `***`.
 */
export function maskTargetUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '(a URL that does not parse)';
  }
  const auth = u.username || u.password ? '***@' : '';
  const segments = u.pathname.split('/').filter(Boolean);
  const path = u.pathname === '/robot/send' ? u.pathname : segments.length ? `/${segments[0]}${segments.length > 1 ? '/…' : ''}` : '';
  const query = [...new Set(u.searchParams.keys())].map((k) => `${encodeURIComponent(k)}=***`).join('&');
  return `${u.protocol}//${auth}${u.host}${path}${query ? `?${query}` : ''}`;
}

/**
 * `text` with every secret of `secrets` (and its URL-encoded form) replaced by `***`: a last guard
 * before an error message from elsewhere (fetch, a server's answer) reaches a log or an answer.
 */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    for (const form of new Set([s, encodeURIComponent(s)])) if (form) out = out.split(form).join('***');
  }
  return out;
}
