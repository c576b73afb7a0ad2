/**
 * DingTalk's signature, against the loopback robot server, which recomputes it as DingTalk does
 * (the query decoded once): a secret and a timestamp whose Base64 signature holds `+`, `/` and `=`
 * go through only when the signature is URL-encoded exactly once; raw, or encoded twice, the robot
 * answers `310000 sign not match`. The timestamp must be within one hour of the robot's clock.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingTalkSign, sendMarkdown, signedUrl } from '../../shared/notify/dingtalk-robot.js';
import { NotifyTargetError } from '../../shared/notify/notify-errors.js';
import { startDingTalkServer, type DingTalkServer } from '../support/dingtalk-server.js';

const SECRET = 'SEC9d2c4f0a1b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170';
const message = { title: 'toolflow: test', text: '### toolflow: a test message' };

/** The first timestamp from `start` on whose signature holds every one of `chars`. */
function timestampWith(secret: string, start: number, chars: string[]): number {
  for (let t = start; t < start + 100_000; t++) {
    const sign = createHmac('sha256', secret).update(`${t}\n${secret}`).digest('base64');
    if (chars.every((c) => sign.includes(c))) return t;
  }
  throw new Error('no such timestamp');
}

/** POSTs `message` to a URL as it is, and gives the robot's answer. */
async function postTo(url: string): Promise<{ errcode: number; errmsg: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msgtype: 'markdown', markdown: message }) });
  return (await res.json()) as { errcode: number; errmsg: string };
}

describe('DingTalk signature', () => {
  let robot: DingTalkServer;
  const ts = timestampWith(SECRET, 1_700_000_000_000, ['+', '/', '=']);

  beforeAll(async () => {
    robot = await startDingTalkServer();
    robot.addRobot('signed', { secret: SECRET });
    robot.addRobot('plain');
    robot.now = () => ts;
  });
  afterAll(() => robot.close());

  it('is Base64 of HMAC-SHA256(secret, timestamp + "\\n" + secret), and this one holds +, / and =', () => {
    const sign = dingTalkSign(SECRET, ts);
    expect(sign).toBe(createHmac('sha256', Buffer.from(SECRET, 'utf8')).update(`${ts}\n${SECRET}`, 'utf8').digest('base64'));
    for (const c of ['+', '/', '=']) expect(sign).toContain(c);
  });

  it('is URL-encoded once in the URL: %2B %2F %3D, no raw + / =, and the access_token left as it was', () => {
    const url = signedUrl({ url: robot.robotUrl('signed'), secret: SECRET }, ts);
    const query = url.slice(url.indexOf('?') + 1);
    expect(query.startsWith('access_token=signed&timestamp=')).toBe(true);
    const sign = query.slice(query.indexOf('sign=') + 5);
    expect(sign).toBe(encodeURIComponent(dingTalkSign(SECRET, ts)));
    expect(sign).toMatch(/%2B/);
    expect(sign).toMatch(/%2F/);
    expect(sign).toMatch(/%3D$/);
    expect(sign).not.toMatch(/[+/=]/);
    expect(decodeURIComponent(sign)).toBe(dingTalkSign(SECRET, ts));
  });

  it('the robot takes the message signed by sendMarkdown', async () => {
    await sendMarkdown({ label: 'robot 1', url: robot.robotUrl('signed'), secret: SECRET }, message, { now: () => ts });
    expect(robot.messages.at(-1)).toMatchObject({ token: 'signed', title: message.title, text: message.text });
    expect(robot.requests.at(-1)).toMatchObject({ errcode: 0 });
  });

  it('the robot refuses the same signature left raw (+ read back as a space) or encoded twice: 310000 sign not match', async () => {
    const sign = dingTalkSign(SECRET, ts);
    const base = `${robot.robotUrl('signed')}&timestamp=${ts}&sign=`;
    expect(await postTo(base + sign)).toMatchObject({ errcode: 310000, errmsg: expect.stringContaining('sign not match') });
    expect(await postTo(base + encodeURIComponent(encodeURIComponent(sign)))).toMatchObject({ errcode: 310000, errmsg: expect.stringContaining('sign not match') });
    expect(await postTo(base + encodeURIComponent(sign))).toMatchObject({ errcode: 0 });
  });

  it('a wrong secret is refused as sign not match, and sendMarkdown says it is permanent and what to check', async () => {
    const err = await sendMarkdown({ label: 'robot 1', url: robot.robotUrl('signed'), secret: `${SECRET}x` }, message, { now: () => ts }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotifyTargetError);
    expect(err).toMatchObject({ kind: 'permanent', errcode: 310000 });
    expect((err as Error).message).toContain('TOOLFLOW_NOTIFY_DINGTALK_SECRET');
  });

  it('the timestamp must be within one hour of the robot’s clock: an hour is taken, an hour and a millisecond is not', async () => {
    const robotUrl = { label: 'robot 1', url: robot.robotUrl('signed'), secret: SECRET };
    await sendMarkdown(robotUrl, message, { now: () => ts - 3_600_000 });
    await sendMarkdown(robotUrl, message, { now: () => ts + 3_600_000 });
    const late = await sendMarkdown(robotUrl, message, { now: () => ts + 3_600_001 }).catch((e: unknown) => e);
    expect(late).toMatchObject({ kind: 'permanent', errcode: 310000 });
    expect((late as Error).message).toContain('invalid timestamp');
    const early = await sendMarkdown(robotUrl, message, { now: () => ts - 3_600_001 }).catch((e: unknown) => e);
    expect(early).toMatchObject({ kind: 'permanent', errcode: 310000 });
  });

  it('a robot without a secret gets no timestamp or sign', async () => {
    expect(signedUrl({ url: robot.robotUrl('plain') }, ts)).toBe(robot.robotUrl('plain'));
    await sendMarkdown({ label: 'robot 2', url: robot.robotUrl('plain') }, message, { now: () => ts });
    expect(robot.requests.at(-1)!.rawQuery).toBe('access_token=plain');
    expect(robot.requests.at(-1)!.errcode).toBe(0);
  });
});
