/**
 * What each answer of a DingTalk robot does, against the loopback robot server answering every
 * documented errcode: permanent ones (310000, 300001, 4xxxxx, an HTTP 404) are sent once and
 * refused for good (NotificationRefusedError: dead-lettered at once); retryable ones (-1, HTTP 5xx,
 * a dropped connection, an unknown errcode) are tried 3 times with backoff and jitter, then
 * NotificationFailedError (delivered again); 130101 / 410100 fold the message into the digest.
 * The robot answers HTTP 200 on failure too: the errcode is what counts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventInvalidError } from '../../shared/errors.js';
import { classifyErrcode } from '../../shared/notify/dingtalk-robot.js';
import { NotificationFailedError, NotificationRefusedError } from '../../shared/notify/notify-errors.js';
import type { Notifier } from '../../shared/notify/notifier.js';
import { backoffDelay, DEFAULT_BACKOFF } from '../../shared/notify/retry.js';
import { ERRCODES, startDingTalkServer, type DingTalkServer, type ScriptedAnswer } from '../support/dingtalk-server.js';
import { manualClock, type ManualClock } from '../support/manual-clock.js';
import { capturedLog, failureNotification, testNotifier } from './helpers.js';

describe('DingTalk errcodes', () => {
  let robot: DingTalkServer;
  let clock: ManualClock;
  let notifier: Notifier;
  let token = 0;
  let current = '';
  const logs = capturedLog();

  beforeAll(async () => {
    robot = await startDingTalkServer();
  });
  afterAll(() => robot.close());
  afterEach(() => notifier?.close());

  /** A fresh robot (its own window) answered `answers` first, and a notifier for it. */
  function fresh(...answers: ScriptedAnswer[]): void {
    current = `t${++token}`;
    robot.addRobot(current, { secret: 'SECtest-secret-of-the-errcode-robot' });
    robot.script(current, ...answers);
    clock = manualClock();
    robot.now = () => clock.now();
    notifier = testNotifier({ robots: [{ label: 'robot 1', url: robot.robotUrl(current), secret: 'SECtest-secret-of-the-errcode-robot' }] }, clock, logs.log);
  }
  const requests = () => robot.requests.filter((r) => r.token === current);
  const accepted = () => robot.messages.filter((m) => m.token === current);

  it('classifies every documented errcode', () => {
    expect(classifyErrcode(0)).toBe('ok');
    for (const code of [130101, 410100]) expect(classifyErrcode(code), String(code)).toBe('rate-limited');
    for (const code of [310000, 300001, 300005, 400013, 400101, 400102, 400105, 400106, 430101, 430102, 430103, 430104]) expect(classifyErrcode(code), String(code)).toBe('permanent');
    for (const code of [-1, 88, 12345]) expect(classifyErrcode(code), String(code)).toBe('retryable');
  });

  it.each([
    ['310000 sign not match', ERRCODES.signNotMatch],
    ['310000 keywords not in content', ERRCODES.keywordsNotInContent],
    ['310000 ip not in whitelist', ERRCODES.ipNotInWhitelist],
    ['310000 invalid timestamp', ERRCODES.invalidTimestamp],
    ['300001 token is not exist', ERRCODES.tokenNotExist],
    ['400013 group disbanded', ERRCODES.groupDisbanded],
    ['400101 no access_token', ERRCODES.noAccessToken],
    ['400102 robot disabled', ERRCODES.robotDisabled],
    ['400105 message type not supported', ERRCODES.typeNotSupported],
    ['400106 no such robot', ERRCODES.noRobot],
    ['430101 unsafe link', ERRCODES.unsafeLink],
    ['430102 unsuitable text', ERRCODES.badText],
    ['430103 unsuitable image', ERRCODES.badImage],
    ['430104 unsuitable content', ERRCODES.badContent],
  ])('%s (HTTP 200) is permanent: one request, refused for good', async (_name, answer) => {
    fresh(answer);
    const err = await notifier.notify(failureNotification('aaaaaaaaaaa1')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotificationRefusedError);
    expect(err).toBeInstanceOf(EventInvalidError); // what the buses dead-letter at once
    expect((err as NotificationRefusedError).code).toBe('NOTIFICATION_REFUSED');
    expect((err as Error).message).toContain(`errcode ${answer.errcode}`);
    expect(requests()).toHaveLength(1);
    expect(requests()[0]!.status).toBe(200);
    expect(clock.waits).toEqual([]);
    expect(accepted()).toEqual([]);
    // A redelivery of the same event does not ask the robot again: it refused it for good.
    await expect(notifier.notify(failureNotification('aaaaaaaaaaa1'))).resolves.toEqual([{ target: 'robot 1', outcome: 'already' }]);
    expect(requests()).toHaveLength(1);
  });

  it('an unknown token (the server’s own check, not scripted) is 300001 and permanent', async () => {
    clock = manualClock();
    notifier = testNotifier({ robots: [{ label: 'robot 1', url: robot.robotUrl('no-such-token') }] }, clock, logs.log);
    const err = await notifier.notify(failureNotification('aaaaaaaaaaa2')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotificationRefusedError);
    expect((err as Error).message).toContain('errcode 300001 token is not exist');
    expect((err as Error).message).toContain('TOOLFLOW_NOTIFY_DINGTALK_URL');
  });

  it.each([
    ['-1 system busy', [ERRCODES.busy, ERRCODES.busy]],
    ['HTTP 500', [{ status: 500, body: 'oops' }, { status: 502 }]],
    ['HTTP 503 then a dropped connection', [{ status: 503 }, { drop: true } as const]],
    ['an unknown errcode', [{ errcode: 12345, errmsg: 'what' }, ERRCODES.busy]],
  ] as [string, ScriptedAnswer[]][])('%s is retried with backoff and jitter, and the third try is sent', async (_name, answers) => {
    fresh(...answers);
    await expect(notifier.notify(failureNotification('aaaaaaaaaaa3'))).resolves.toEqual([{ target: 'robot 1', outcome: 'sent' }]);
    expect(requests()).toHaveLength(3);
    expect(accepted()).toHaveLength(1);
    // 0.5 s then 1 s before jitter; the jitter here is 0.5 → ×0.75.
    expect(clock.waits).toEqual([backoffDelay(1, DEFAULT_BACKOFF, 0.5), backoffDelay(2, DEFAULT_BACKOFF, 0.5)]);
    expect(clock.waits).toEqual([375, 750]);
  });

  it('jitter spreads a delay between half and all of its ceiling, and the ceiling doubles up to its cap', () => {
    expect([0, 0.999999].map((r) => backoffDelay(1, DEFAULT_BACKOFF, r))).toEqual([250, 500]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, DEFAULT_BACKOFF, 0.999999))).toEqual([500, 1000, 2000, 4000, 4000]);
  });

  it('a robot that keeps failing is tried 3 times, then NotificationFailedError: the event is to be delivered again', async () => {
    fresh(ERRCODES.busy, ERRCODES.busy, ERRCODES.busy, ERRCODES.busy);
    const err = await notifier.notify(failureNotification('aaaaaaaaaaa4')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotificationFailedError);
    expect(err).not.toBeInstanceOf(EventInvalidError);
    expect((err as Error).message).toContain('errcode -1');
    expect((err as Error).message).toContain('delivered again');
    expect(requests()).toHaveLength(3);
    // The redelivery tries again (and the robot now takes it after one more -1).
    await expect(notifier.notify(failureNotification('aaaaaaaaaaa4'))).resolves.toEqual([{ target: 'robot 1', outcome: 'sent' }]);
    expect(requests()).toHaveLength(5);
  });

  it('HTTP 404 (a wrong path) is permanent; a 200 without an errcode is retried', async () => {
    fresh({ status: 404, body: 'not found' });
    await expect(notifier.notify(failureNotification('aaaaaaaaaaa5'))).rejects.toBeInstanceOf(NotificationRefusedError);
    expect(requests()).toHaveLength(1);
    await notifier.close();
    fresh({ status: 200, body: '<html>a proxy</html>' });
    await expect(notifier.notify(failureNotification('aaaaaaaaaaa6'))).resolves.toEqual([{ target: 'robot 1', outcome: 'sent' }]);
    expect(requests()).toHaveLength(2);
  });

  it.each([
    ['130101 send too fast', ERRCODES.tooFast],
    ['410100 throttled', ERRCODES.throttled],
  ])('%s folds the message into the digest, sent once DingTalk’s 10-minute throttle is over', async (_name, answer) => {
    fresh(answer);
    await expect(notifier.notify(failureNotification('aaaaaaaaaaa7'))).resolves.toEqual([{ target: 'robot 1', outcome: 'folded' }]);
    expect(accepted()).toHaveLength(0);
    expect(notifier.held()).toEqual({ 'robot 1': 1 });
    clock.advance(599_999);
    await notifier.settled();
    expect(accepted()).toHaveLength(0);
    clock.advance(1);
    await notifier.settled();
    expect(accepted()).toHaveLength(1);
    expect(accepted()[0]!.title).toBe(failureNotification('aaaaaaaaaaa7').message.title); // one held message goes as itself
    expect(notifier.held()).toEqual({ 'robot 1': 0 });
  });
});
