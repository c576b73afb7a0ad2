/**
 * The errors of notifications (the `notify` function). How each one travels is the delivery layer's
 * usual rule (README, "Connector" and "Functions"):
 *
 * - `NotifyTargetError`: one target (a DingTalk robot, the webhook) failed one send. Its `kind`
 *   says what to do next: `retryable` (a 5xx, a network error, DingTalk's `-1` busy) is tried again
 *   with backoff; `rate-limited` (DingTalk `130101`) folds the message into the robot's digest;
 *   `permanent` (DingTalk `310000`, `300001`, `4xxxxx`, an HTTP 4xx) is never tried again.
 * - `NotificationFailedError` (code `NOTIFICATION_FAILED`): what the handler throws when a target
 *   still fails after its tries in place: the event is delivered again (HTTP 500), then
 *   dead-lettered past the delivery limit.
 * - `NotificationRefusedError` (code `NOTIFICATION_REFUSED`): a target refused the message for good.
 *   It is an EventInvalidError, so every delivery layer dead-letters it at once: the buses
 *   (`memory-bus.ts`, `amqp-consumer.ts`) without another delivery, an HTTP function with `400`
 *   (which the connector dead-letters at once and Knative does not retry).
 *
 * Messages name targets by their masked URL (`maskTargetUrl`), never with a token or secret.
 */
import { EventInvalidError, ToolflowError } from '../errors.js';

/** What a failed send means for the message. */
export type FailureKind = 'retryable' | 'rate-limited' | 'permanent';

/** One send to one target failed. */
export class NotifyTargetError extends ToolflowError {
  readonly kind: FailureKind;
  /** DingTalk's `errcode`, when the robot answered one. */
  readonly errcode?: number;
  /** The HTTP status, when there was an answer. */
  readonly status?: number;
  constructor(kind: FailureKind, message: string, details: { errcode?: number; status?: number; cause?: unknown } = {}) {
    super(kind === 'permanent' ? 'NOTIFY_TARGET_REFUSED' : 'NOTIFY_TARGET_FAILED', message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    if (details.errcode !== undefined) this.errcode = details.errcode;
    if (details.status !== undefined) this.status = details.status;
  }
}

/** A notification could not be sent yet (a target still fails after its tries): deliver the event again. */
export class NotificationFailedError extends ToolflowError {
  constructor(message: string) {
    super('NOTIFICATION_FAILED', message);
  }
}

/**
 * A target refused a notification for good (bad signature, unknown token, a keyword missing…):
 * dead-lettered at once (an EventInvalidError for the delivery layers), code `NOTIFICATION_REFUSED`.
 */
export class NotificationRefusedError extends EventInvalidError {
  override readonly code = 'NOTIFICATION_REFUSED';
}
