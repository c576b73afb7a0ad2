/**
 * Sends one notification to every configured target: each DingTalk robot through its rate limit
 * (`RateLimitedSender`), and the generic webhook, side by side.
 *
 * - A target that took the notification (sent, or folded into its robot's digest) is remembered
 *   for `DELIVERED_TTL_MS` under the notification's key (an event's `source` and `id`, an
 *   Alertmanager body's SHA-256), so a redelivery of the same event does not send it there again;
 *   only the targets that failed are tried again. A target that refused it for good is remembered
 *   too (it would refuse it again).
 * - When a target still fails after its tries in place (`withRetries`), `notify` throws
 *   NotificationFailedError: the delivery layer delivers the event again, then dead-letters it.
 *   When the only failures are refusals, it throws NotificationRefusedError: dead-lettered at once.
 * - A digest given up (`RateLimitedSender`'s `onGiveUp`) is logged at error level as a dead letter
 *   (`deadLetter: true`, the robot, the titles it held, the error) and kept in `deadLetters`: its
 *   events were acknowledged when they were folded, so no delivery layer holds them any more.
 *
 * Logs name targets by label and masked URL; every error text is scrubbed of the settings' secrets.
 */
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Logger } from 'pino';
import { sendMarkdown } from './dingtalk-robot.js';
import type { NotifyMessage } from './message-format.js';
import { NotificationFailedError, NotificationRefusedError, NotifyTargetError } from './notify-errors.js';
import { maskTargetUrl, scrub, secretsOf, type NotifySettings } from './notify-settings.js';
import { RateLimitedSender, type LimiterClock, REAL_LIMITER_CLOCK } from './rate-limit.js';
import { DEFAULT_BACKOFF, REAL_RETRY_CLOCK, withRetries, type BackoffPolicy, type RetryClock } from './retry.js';
import { postWebhook, type WebhookBody } from './webhook.js';
import { recordNotification } from '../metrics/record.js';

/** How long a target that took a notification is remembered, ms: past any redelivery of it (the connector waits out an outage for 10 minutes). */
export const DELIVERED_TTL_MS = 15 * 60_000;
/** Most keys remembered (the oldest go first). */
const DELIVERED_MAX = 10_000;

/** One notification. */
export interface Notification {
  /** Identifies it across redeliveries: `<source>|<id>` of an event, `alertmanager|<sha256 of the body>`. */
  key: string;
  message: NotifyMessage;
  /** What the webhook gets (its title and markdown are the message's). */
  webhook: Omit<WebhookBody, 'title' | 'markdown'>;
}

/** What happened at one target. */
export interface TargetOutcome {
  /** `robot 1`, …, or `webhook`. */
  target: string;
  outcome: 'sent' | 'folded' | 'already';
}

/** A digest given up: its robot, the titles of the messages it held, and why. */
export interface NotifyDeadLetter {
  target: string;
  titles: string[];
  error: string;
}

/** Options of a Notifier (tests inject the clocks and a short backoff). */
export interface NotifierOptions {
  settings: NotifySettings;
  log: Logger;
  clock?: LimiterClock;
  retryClock?: RetryClock;
  backoff?: BackoffPolicy;
}

/** The notify function's sender (see the module's doc). */
export class Notifier {
  readonly settings: NotifySettings;
  /** Digests given up, oldest first. */
  readonly deadLetters: NotifyDeadLetter[] = [];
  private readonly senders = new Map<string, RateLimitedSender>();
  /** Key + target → when it was taken, epoch ms (insertion order = age). */
  private readonly delivered = new Map<string, number>();
  private readonly secrets: string[];
  private readonly clock: LimiterClock;
  /** Aborted by `abort()`: requests under way stop, and nothing is tried again. */
  private readonly stop = new AbortController();
  /** Waits between tries; `abort()` ends a wait at once (the try after it then fails at once). */
  private readonly retryClock: RetryClock;

  constructor(private readonly options: NotifierOptions) {
    this.settings = options.settings;
    this.secrets = secretsOf(options.settings);
    this.clock = options.clock ?? REAL_LIMITER_CLOCK;
    this.retryClock = options.retryClock ?? { sleep: (ms) => sleepFor(ms, undefined, { signal: this.stop.signal }).then(() => undefined, () => undefined), random: REAL_RETRY_CLOCK.random };
    for (const robot of options.settings.robots) {
      const where = `${robot.label} (${maskTargetUrl(robot.url)})`;
      this.senders.set(
        robot.label,
        new RateLimitedSender({
          send: (m) => sendMarkdown(robot, m, { now: () => this.clock.now(), signal: this.stop.signal }),
          onGiveUp: (items, error) => {
            const dead = { target: robot.label, titles: items.map((i) => i.title), error: scrub(error, this.secrets) };
            this.deadLetters.push(dead);
            options.log.error({ deadLetter: true, target: where, notifications: items.length, titles: dead.titles, err: dead.error }, 'notify: gave up a digest of notifications; they are not sent');
          },
          onRetry: (what, err, delayMs) => options.log.info({ target: where, err: this.text(err), retryInMs: delayMs }, `notify: sending ${what} failed; trying again`),
          ...(options.clock ? { clock: options.clock } : {}),
          retryClock: this.retryClock,
          ...(options.backoff ? { backoff: options.backoff } : {}),
        }),
      );
    }
  }

  /** True when at least one target is configured. */
  get configured(): boolean {
    return this.settings.robots.length > 0 || this.settings.webhookUrl !== undefined;
  }

  /** An error's message, scrubbed of every secret of the settings. */
  private text(err: unknown): string {
    return scrub(err instanceof Error ? err.message : String(err), this.secrets);
  }

  private remembered(id: string): boolean {
    const at = this.delivered.get(id);
    return at !== undefined && this.clock.now() - at < DELIVERED_TTL_MS;
  }

  private remember(id: string): void {
    this.delivered.delete(id);
    this.delivered.set(id, this.clock.now());
    for (const [k, at] of this.delivered) {
      if (this.delivered.size <= DELIVERED_MAX && this.clock.now() - at < DELIVERED_TTL_MS) break;
      this.delivered.delete(k);
    }
  }

  /**
   * Sends `n` to every target that has not taken it yet.
   * @param log where this notification's lines go (the event's logger, bound to its task: runtime/log.ts); default the notifier's.
   * @returns what happened at each target.
   * @throws NotificationFailedError when a target still fails after its tries (deliver the event
   *   again); NotificationRefusedError when every failure is a refusal (dead-letter it at once).
   *   Both name each failing target and its answer, never a secret.
   */
  async notify(n: Notification, log: Logger = this.options.log): Promise<TargetOutcome[]> {
    const targets: { target: string; channel: 'dingtalk' | 'webhook'; where: string; run: () => Promise<'sent' | 'folded'> }[] = [];
    for (const robot of this.settings.robots) {
      targets.push({ target: robot.label, channel: 'dingtalk', where: `DingTalk ${robot.label}`, run: () =>
          this.senders.get(robot.label)!.deliver(n.message, (err, delayMs) =>
            log.info({ target: `${robot.label} (${maskTargetUrl(robot.url)})`, err: this.text(err), retryInMs: delayMs }, 'notify: sending a message failed; trying again'),
          ),
      });
    }
    const url = this.settings.webhookUrl;
    if (url) {
      const body: WebhookBody = { ...n.webhook, title: n.message.title, markdown: n.message.text };
      targets.push({
        target: 'webhook',
        channel: 'webhook',
        where: `the webhook ${maskTargetUrl(url)}`,
        run: () =>
          withRetries(
            () => postWebhook(url, body, undefined, this.stop.signal),
            (err) => !(err instanceof NotifyTargetError) || err.kind !== 'permanent',
            this.options.backoff ?? DEFAULT_BACKOFF,
            this.retryClock,
            (err, _n, delayMs) => log.info({ target: 'webhook', err: this.text(err), retryInMs: delayMs }, 'notify: sending to the webhook failed; trying again'),
          ).then(() => 'sent' as const),
      });
    }
    const outcomes: TargetOutcome[] = [];
    const failed: string[] = [];
    const refused: string[] = [];
    await Promise.all(
      targets.map(async (t) => {
        const id = `${n.key}\n${t.target}`;
        if (this.remembered(id)) {
          outcomes.push({ target: t.target, outcome: 'already' });
          return;
        }
        try {
          const outcome = await t.run();
          this.remember(id);
          outcomes.push({ target: t.target, outcome });
          recordNotification(t.channel, outcome);
          log.info({ target: t.target, key: n.key, outcome, title: n.message.title }, outcome === 'sent' ? 'notify: sent' : 'notify: folded into the next digest (rate limit)');
        } catch (err) {
          recordNotification(t.channel, 'failed');
          const permanent = err instanceof NotifyTargetError && err.kind === 'permanent';
          if (permanent) {
            this.remember(id);
            refused.push(this.text(err));
          } else failed.push(this.text(err));
        }
      }),
    );
    if (this.stop.signal.aborted && (failed.length || refused.length)) {
      // Nothing refused it: the process stopped waiting for the targets (abort()).
      throw new NotificationFailedError(`the notification "${n.message.title}" was not sent: the process is closing`);
    }
    if (failed.length) {
      const message = `the notification "${n.message.title}" was not sent: ${[...failed, ...refused].join('; ')}; the event is delivered again, and dead-lettered past the delivery limit`;
      // The delivery layer logs the failure with the event (the bus, the HTTP function): debug here.
      log.debug({ key: n.key, failed: failed.length, refused: refused.length }, `notify: ${message}`);
      throw new NotificationFailedError(message);
    }
    if (refused.length) {
      const message = `the notification "${n.message.title}" was refused: ${refused.join('; ')}; not sent again (dead-lettered)`;
      log.debug({ key: n.key, refused: refused.length }, `notify: ${message}`);
      throw new NotificationRefusedError(message);
    }
    return outcomes;
  }

  /** Resolves once no digest is being sent. */
  async settled(): Promise<void> {
    await Promise.all([...this.senders.values()].map((s) => s.settled()));
  }

  /** Messages held for digests, per robot label. */
  held(): Record<string, number> {
    return Object.fromEntries([...this.senders].map(([label, s]) => [label, s.heldCount]));
  }

  /** Stops the robots' timers; what they hold goes as a last digest when their window has room, else is given up. */
  async close(): Promise<void> {
    await Promise.all([...this.senders.values()].map((s) => s.close()));
  }

  /**
   * Stops every request under way and every retry: each fails `permanent` ("the process is
   * closing"), so what is under way ends at once (a held digest is given up, and logged so). For a
   * process that is closing and cannot wait for a target that does not answer.
   */
  abort(): void {
    this.stop.abort();
  }
}
