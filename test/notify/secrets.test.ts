/**
 * No secret reaches a log or an error: the robot's signing secret, its access_token, the sign of a
 * request, the webhook URL's token, Alertmanager's token. Every path that logs is taken (sent,
 * retried, refused, unreachable, folded and given up, Alertmanager refused and taken) with pino
 * capturing every level, and each error thrown is read too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dingTalkSign } from '../../shared/notify/dingtalk-robot.js';
import { answerAlertmanager } from '../../shared/notify/notify-function.js';
import { notifySettings } from '../../shared/notify/notify-settings.js';
import { bufferedBody } from '../../shared/http/function-http.js';
import { freePort } from '../http/helpers.js';
import { ERRCODES, startDingTalkServer, type DingTalkServer } from '../support/dingtalk-server.js';
import { manualClock } from '../support/manual-clock.js';
import { capturedLog, failureNotification, testNotifier } from './helpers.js';

const ROBOT_SECRET = 'SECsecret0that0must0never0show0abcdef0123456789';
const TOKEN = 'token0that0must0never0show0fedcba9876543210';
const WEBHOOK_TOKEN = 'webhook0path0token0never0shown0123';
const AM_TOKEN = 'alertmanager0token0never0shown0456';

describe('secrets never reach logs or errors', () => {
  let robot: DingTalkServer;
  beforeAll(async () => {
    robot = await startDingTalkServer();
    robot.addRobot(TOKEN, { secret: ROBOT_SECRET });
  });
  afterAll(() => robot.close());

  it('through every path of the notifier and of the Alertmanager endpoint', async () => {
    const clock = manualClock();
    robot.now = () => clock.now();
    const logs = capturedLog('trace');
    const closed = await freePort(); // nothing listens there: connections are refused
    const errors: string[] = [];
    const settings = notifySettings({
      TOOLFLOW_NOTIFY_DINGTALK_URL: `${robot.robotUrl(TOKEN)},http://127.0.0.1:${closed}/robot/send?access_token=${TOKEN}2`,
      TOOLFLOW_NOTIFY_DINGTALK_SECRET: `${ROBOT_SECRET},${ROBOT_SECRET}2`,
      TOOLFLOW_NOTIFY_WEBHOOK_URL: `http://127.0.0.1:${closed}/hooks/${WEBHOOK_TOKEN}`,
      TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN: AM_TOKEN,
    });
    const notifier = testNotifier(settings, clock, logs.log);
    const attempt = (id: string) => notifier.notify(failureNotification(id)).catch((e: unknown) => void errors.push(String((e as Error).message)));
    await attempt('5ec000000001'); // robot 1 sends; robot 2 and the webhook are unreachable
    robot.script(TOKEN, ERRCODES.signNotMatch);
    await attempt('5ec000000002'); // refused
    robot.script(TOKEN, ERRCODES.busy, ERRCODES.busy, ERRCODES.busy);
    await attempt('5ec000000003'); // retried, failed
    for (let i = 0; i < 25; i++) await attempt(`5ec0000001${String(i).padStart(2, '0')}`); // folded
    robot.script(TOKEN, ERRCODES.keywordsNotInContent);
    clock.advance(60_000);
    await notifier.settled(); // the digest refused: given up, logged as a dead letter
    const am = (token?: string) =>
      answerAlertmanager(notifier, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, query: new URLSearchParams(), ...bufferedBody(JSON.stringify({ version: '4', status: 'firing', alerts: [] })) }, logs.log);
    for (const a of [await am(), await am('wrong-token-0000000000'), await am(AM_TOKEN)]) errors.push(String(a.body));
    await notifier.close();

    expect(notifier.deadLetters.length).toBeGreaterThan(0);
    expect(errors.length).toBeGreaterThan(4);
    const everything = `${logs.text()}\n${errors.join('\n')}\n${JSON.stringify(notifier.deadLetters)}`;
    expect(logs.lines.length).toBeGreaterThan(20);
    const signs = robot.requests.map((r) => new URLSearchParams(r.rawQuery).get('sign')).filter((s): s is string => !!s);
    expect(signs.length).toBeGreaterThan(20);
    expect(signs[0]).toBe(dingTalkSign(ROBOT_SECRET, Number(new URLSearchParams(robot.requests[0]!.rawQuery).get('timestamp'))));
    for (const secret of [ROBOT_SECRET, TOKEN, WEBHOOK_TOKEN, AM_TOKEN, ...signs, ...signs.map(encodeURIComponent)]) expect(everything).not.toContain(secret);
    // What the messages do say instead.
    expect(everything).toContain('access_token=***');
    expect(everything).toContain(`the webhook http://127.0.0.1:${closed}/hooks/… could not be reached: ECONNREFUSED`);
  });
});
