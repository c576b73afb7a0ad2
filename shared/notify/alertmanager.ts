/**
 * Alertmanager's webhook payload (version 4) and the message it becomes.
 *
 * The payload, as Alertmanager's webhook notifier POSTs it (prometheus/alertmanager
 * `notify/webhook/webhook.go`, `Message`, with the template `Data` inlined): `version: "4"`,
 * `groupKey`, `truncatedAlerts` (alerts left out when `max_alerts` is set), `receiver`, `status`
 * (`firing` | `resolved`), `alerts[]` (`status`, `labels`, `annotations`, `startsAt`, `endsAt`,
 * `generatorURL`, `fingerprint`), `groupLabels`, `commonLabels`, `commonAnnotations`, `externalURL`.
 * Alertmanager counts a 2xx as sent and tries a 5xx again; a 4xx is not tried again.
 *
 * The message: a title `toolflow alert: [FIRING:2] <alertname>` (Alertmanager's own default
 * subject shape), then one block per alert, firing ones first: its summary (annotation `summary`,
 * else `description`, else its alertname), its other labels, since when, and a link to its source.
 * Every label and annotation is escaped (`escapeMarkdown`); links are kept only for http(s) URLs.
 * Past the size limit the last alerts are dropped with a note (`fitText`).
 */
import { escapeInline, fitText, fitTitle, MAX_TEXT_BYTES, type NotifyMessage } from './message-format.js';

/** One alert of the payload. */
export interface AlertmanagerAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
}

/** Alertmanager's webhook payload, version 4. */
export interface AlertmanagerPayload {
  version: '4';
  groupKey?: string;
  truncatedAlerts?: number;
  receiver?: string;
  status: string;
  alerts: AlertmanagerAlert[];
  groupLabels?: Record<string, string>;
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
  externalURL?: string;
}

/** Thrown for a body that is not Alertmanager's payload, version 4. */
export class AlertmanagerPayloadError extends Error {
  override name = 'AlertmanagerPayloadError';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStringMap = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

/**
 * Checks a parsed JSON body.
 * @throws AlertmanagerPayloadError saying what is wrong (a `version` other than "4", no `alerts`
 *   array, an alert without `status` or with labels that are not strings).
 */
export function parseAlertmanagerPayload(body: unknown): AlertmanagerPayload {
  if (!isObject(body)) throw new AlertmanagerPayloadError('the body must be a JSON object: Alertmanager\'s webhook payload');
  if (body.version !== '4') throw new AlertmanagerPayloadError(`version ${JSON.stringify(body.version)} is not taken: toolflow reads Alertmanager's webhook payload version "4"`);
  if (typeof body.status !== 'string') throw new AlertmanagerPayloadError('status must be "firing" or "resolved"');
  if (!Array.isArray(body.alerts)) throw new AlertmanagerPayloadError('alerts must be an array');
  body.alerts.forEach((a: unknown, i) => {
    if (!isObject(a) || typeof a.status !== 'string') throw new AlertmanagerPayloadError(`alerts[${i}].status must be "firing" or "resolved"`);
    if (!isStringMap(a.labels ?? {})) throw new AlertmanagerPayloadError(`alerts[${i}].labels must map names to strings`);
    if (!isStringMap(a.annotations ?? {})) throw new AlertmanagerPayloadError(`alerts[${i}].annotations must map names to strings`);
  });
  for (const k of ['groupLabels', 'commonLabels', 'commonAnnotations'] as const) {
    if (body[k] !== undefined && !isStringMap(body[k])) throw new AlertmanagerPayloadError(`${k} must map names to strings`);
  }
  const alerts = (body.alerts as Record<string, unknown>[]).map((a) => ({ ...a, labels: (a.labels ?? {}) as Record<string, string>, annotations: (a.annotations ?? {}) as Record<string, string> }) as AlertmanagerAlert);
  return { ...(body as unknown as AlertmanagerPayload), alerts };
}

/** `url` as a markdown link target, or undefined unless it is http(s) (parentheses, brackets, angle brackets and spaces percent-encoded). */
function linkTarget(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    if (!/^https?:$/.test(u.protocol)) return undefined;
    return u.href.replace(/[()<>[\] ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  } catch {
    return undefined;
  }
}

/** `name=value, …` of `labels` but the ones in `skip`, escaped. */
function labelList(labels: Record<string, string>, skip: Set<string>): string {
  return Object.entries(labels)
    .filter(([k]) => !skip.has(k))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${escapeInline(k, 60)}=${escapeInline(v, 120)}`)
    .join(', ');
}

/** The message of one Alertmanager notification. */
export function alertmanagerMessage(payload: AlertmanagerPayload): NotifyMessage {
  const firing = payload.alerts.filter((a) => a.status === 'firing');
  const resolved = payload.alerts.filter((a) => a.status !== 'firing');
  const name = payload.groupLabels?.alertname ?? payload.commonLabels?.alertname ?? payload.alerts[0]?.labels.alertname ?? 'alert';
  const head = `[${payload.status.toUpperCase()}${firing.length ? `:${firing.length}` : ''}] ${name}`;
  const common = new Set(Object.keys(payload.commonLabels ?? {}));
  const blocks = [`### toolflow alert: ${escapeInline(head, 200)}`];
  const group = labelList(payload.commonLabels ?? {}, new Set());
  if (group) blocks.push(`**labels** ${group}`);
  const alertBlock = (a: AlertmanagerAlert) => {
    const summary = a.annotations.summary ?? a.annotations.description ?? a.labels.alertname ?? 'alert';
    const lines = [`- **${escapeInline(a.status)}** ${escapeInline(summary, 400)}`];
    if (a.annotations.summary && a.annotations.description) lines.push(`  ${escapeInline(a.annotations.description, 600)}`);
    const own = labelList(a.labels, common);
    if (own) lines.push(`  ${own}`);
    const since = a.status === 'firing' ? a.startsAt : a.endsAt;
    const link = linkTarget(a.generatorURL);
    const when = since && !since.startsWith('0001-') ? `${a.status === 'firing' ? 'since' : 'ended'} ${escapeInline(since, 40)}` : '';
    if (when || link) lines.push(`  ${[when, link ? `[source](${link})` : ''].filter(Boolean).join(' · ')}`);
    return lines.join('  \n');
  };
  if (firing.length) blocks.push(`**firing** (${firing.length})`, ...firing.map(alertBlock));
  if (resolved.length) blocks.push(`**resolved** (${resolved.length})`, ...resolved.map(alertBlock));
  if (payload.truncatedAlerts) blocks.push(`_Alertmanager left out ${payload.truncatedAlerts} more alert${payload.truncatedAlerts === 1 ? '' : 's'} (max\\_alerts)_`);
  const am = linkTarget(payload.externalURL);
  if (am) blocks.push(`[Alertmanager](${am})`);
  return {
    title: fitTitle(`toolflow alert: ${head}`),
    text: fitText(blocks, MAX_TEXT_BYTES, am ? `see [Alertmanager](${am})` : 'see Alertmanager'),
    summary: `alert ${escapeInline(head, 160)}`,
  };
}
