/**
 * The rate limit of a robot (20 a minute, a sliding window) and the digest of what it holds back,
 * on a hand-moved clock shared with the loopback robot server (which enforces 20 a minute itself
 * and would answer 130101 past it): 25 task failures at once are 20 messages and one digest of the
 * other 5, sent when the window has room; a digest that keeps failing is given up as a dead letter.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TEXT_BYTES } from '../../shared/notify/message-format.js';
import type { Notifier } from '../../shared/notify/notifier.js';
import { RateLimitedSender } from '../../shared/notify/rate-limit.js';
import { ERRCODES, startDingTalkServer, type DingTalkServer } from '../support/dingtalk-server.js';
import { manualClock, type ManualClock } from '../support/manual-clock.js';
import { capturedLog, failureNotification, testNotifier } from './helpers.js';

const SECRET = 'SECrate-limit-robot-secret-0123456789';
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => (0xa00000000000 + from + i).toString(16));

describe('rate limit and digest', () => {
  let robot: DingTalkServer;
  let clock: ManualClock;
  let notifier: Notifier;
  let n = 0;
  let token = '';
  const logs = capturedLog();

  beforeAll(async () => {
    robot = await startDingTalkServer({ maxTextBytes: MAX_TEXT_BYTES });
  });
  afterAll(() => robot.close());
  afterEach(async () => {
    await notifier?.close();
    expect(robot.violations).toEqual([]);
  });

  function fresh(): void {
    token = `rate${++n}`;
    robot.addRobot(token, { secret: SECRET, keywords: ['toolflow'] });
    clock = manualClock();
    robot.now = () => clock.now();
    notifier = testNotifier({ robots: [{ label: 'robot 1', url: robot.robotUrl(token), secret: SECRET }] }, clock, logs.log);
  }
  const accepted = () => robot.messages.filter((m) => m.token === token);
  const requests = () => robot.requests.filter((r) => r.token === token);

  it('25 failures at once are 20 messages now and one digest of the other 5 when the window has room', async () => {
    fresh();
    const tasks = ids(25);
    const outcomes = [];
    for (const t of tasks) outcomes.push((await notifier.notify(failureNotification(t)))[0]!.outcome);
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(20);
    expect(outcomes.slice(20)).toEqual(['folded', 'folded', 'folded', 'folded', 'folded']);
    expect(accepted()).toHaveLength(20);
    expect(requests()).toHaveLength(20); // the robot was never asked past its limit: no 130101
    expect(notifier.held()).toEqual({ 'robot 1': 5 });

    // One millisecond short of the window and its 1 s margin (the robot's clock): still held.
    clock.advance(60_999);
    await notifier.settled();
    expect(accepted()).toHaveLength(20);
    clock.advance(1);
    await notifier.settled();
    expect(accepted()).toHaveLength(21);
    const digest = accepted()[20]!;
    expect(digest.title).toBe('toolflow: 5 notifications in one digest');
    for (const t of tasks.slice(20)) expect(digest.text).toContain(t);
    for (const t of tasks.slice(0, 20)) expect(digest.text).not.toContain(t);
    expect(digest.text).toContain('the robot takes 20 messages a minute');
    expect(notifier.held()).toEqual({ 'robot 1': 0 });
    expect(clock.pending()).toBe(0);
    expect(requests().every((r) => r.errcode === 0)).toBe(true);
  });

  it('the window slides: a message counts for 60 s (and 1 s of margin) from when it was sent, not per calendar minute', async () => {
    fresh();
    for (const t of ids(10, 100)) await notifier.notify(failureNotification(t));
    clock.advance(30_000);
    for (const t of ids(10, 200)) await notifier.notify(failureNotification(t));
    expect(accepted()).toHaveLength(20);
    // 31 s later the first 10 have left the window: 10 more go at once; the 11th is held until the second 10 leave.
    clock.advance(31_000);
    const outcomes = [];
    for (const t of ids(11, 300)) outcomes.push((await notifier.notify(failureNotification(t)))[0]!.outcome);
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(10);
    expect(outcomes[10]).toBe('folded');
    clock.advance(29_999);
    await notifier.settled();
    expect(accepted()).toHaveLength(30);
    clock.advance(1);
    await notifier.settled();
    expect(accepted()).toHaveLength(31);
    expect(accepted()[30]!.title).toContain(ids(1, 310)[0]); // a single held message goes as itself
  });

  it('what comes while messages are held joins the same digest, in order', async () => {
    fresh();
    for (const t of ids(22, 400)) await notifier.notify(failureNotification(t));
    clock.advance(10_000);
    for (const t of ids(3, 500)) await notifier.notify(failureNotification(t));
    expect(notifier.held()).toEqual({ 'robot 1': 5 });
    clock.advance(51_000);
    await notifier.settled();
    expect(accepted()).toHaveLength(21);
    const text = accepted()[20]!.text;
    const order = [...ids(2, 420), ...ids(3, 500)].map((t) => text.indexOf(t));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('a digest of hundreds stays under the size limit and says how much it left out', async () => {
    fresh();
    for (const t of ids(320, 1000)) await notifier.notify(failureNotification(t, `a long error ${'x'.repeat(150)}`));
    clock.advance(61_000);
    await notifier.settled();
    const digest = accepted().at(-1)!;
    expect(digest.title).toBe('toolflow: 300 notifications in one digest');
    expect(Buffer.byteLength(digest.text)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(digest.text).toMatch(/_toolflow cut this message to fit the robot's 4000-byte limit: \d+ bytes not shown, from part \d+ of 302 on_$/);
  });

  it('a digest that keeps failing is tried in rounds, then given up and logged as a dead letter', async () => {
    fresh();
    for (const t of ids(21, 2000)) await notifier.notify(failureNotification(t));
    robot.script(token, ...Array.from({ length: 15 }, () => ERRCODES.busy));
    clock.advance(61_000);
    await notifier.settled();
    for (let round = 1; round < 5; round++) {
      expect(notifier.deadLetters, `round ${round}`).toEqual([]);
      clock.advance(600_000);
      await notifier.settled();
    }
    expect(requests().filter((r) => r.errcode === -1)).toHaveLength(15); // 5 rounds of 3 tries
    expect(notifier.deadLetters).toEqual([{ target: 'robot 1', titles: [failureNotification(ids(1, 2020)[0]!).message.title], error: expect.stringContaining('errcode -1') }]);
    expect(logs.lines.some((l) => /"deadLetter":true/.test(l) && /gave up a digest/.test(l))).toBe(true);
    expect(notifier.held()).toEqual({ 'robot 1': 0 });
  });

  it('a digest the robot refuses for good is given up at once', async () => {
    fresh();
    for (const t of ids(22, 3000)) await notifier.notify(failureNotification(t));
    robot.script(token, ERRCODES.keywordsNotInContent);
    clock.advance(61_000);
    await notifier.settled();
    expect(notifier.deadLetters).toHaveLength(1);
    expect(notifier.deadLetters[0]!.titles).toHaveLength(2);
    expect(notifier.deadLetters[0]!.error).toContain('310000');
  });

  it('close() sends what is held when the window has room, and gives it up when it has not', async () => {
    fresh();
    for (const t of ids(21, 4000)) await notifier.notify(failureNotification(t));
    await notifier.close();
    expect(notifier.deadLetters).toHaveLength(1);
    expect(notifier.deadLetters[0]!.error).toContain('stopped before the robot\'s window had room');
    fresh();
    const sender = new RateLimitedSender({ send: async () => undefined, onGiveUp: () => undefined, clock, retryClock: clock.retry, max: 1 });
    expect(await sender.deliver({ title: 'a', text: 'a', summary: 'a' })).toBe('sent');
    expect(await sender.deliver({ title: 'b', text: 'b', summary: 'b' })).toBe('folded');
    clock.advance(61_000 - 1); // 60 s and the 1 s margin
    expect(sender.nextFreeAt()).toBe(clock.now() + 1);
  });
});
