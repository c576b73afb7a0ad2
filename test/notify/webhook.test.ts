/**
 * The generic JSON webhook, against a receiver on loopback: one POST of JSON per notification
 * (title, markdown, the event), a 2xx is success whatever its body, 5xx / 429 / a dropped
 * connection are tried again with backoff, another 4xx is refused for good, and the URL (a
 * secret: its path holds a token) is masked in every message. With a robot too, a redelivery
 * goes only to the target that failed.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationFailedError, NotificationRefusedError } from '../../shared/notify/notify-errors.js';
import { maskTargetUrl } from '../../shared/notify/notify-settings.js';
import { startDingTalkServer, type DingTalkServer } from '../support/dingtalk-server.js';
import { manualClock } from '../support/manual-clock.js';
import { capturedLog, failureNotification, testNotifier } from './helpers.js';

interface Received {
  path: string;
  contentType: string | undefined;
  body: unknown;
}

describe('the generic webhook', () => {
  let server: Server;
  let base = '';
  const received: Received[] = [];
  /** Statuses the next requests get (then 204). */
  const statuses: (number | 'drop')[] = [];
  let robot: DingTalkServer;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
        const s = statuses.shift() ?? 204;
        if (s === 'drop') return void req.socket.destroy();
        res.writeHead(s, { 'content-type': 'text/plain' }).end(s >= 400 ? `refused ${s}` : 'thanks, not JSON');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    robot = await startDingTalkServer();
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await robot.close();
  });

  const url = () => `${base}/hooks/T0001/B0002/s3cr3t-w3bh00k-t0k3n`;

  it('POSTs the title, the markdown and the event as JSON; a 2xx with any body is success', async () => {
    const clock = manualClock();
    const notifier = testNotifier({ webhookUrl: url() }, clock, capturedLog().log);
    const n = failureNotification('0000000000a1', 'the tool failed');
    await expect(notifier.notify(n)).resolves.toEqual([{ target: 'webhook', outcome: 'sent' }]);
    const r = received.at(-1)!;
    expect(r.path).toBe('/hooks/T0001/B0002/s3cr3t-w3bh00k-t0k3n');
    expect(r.contentType).toBe('application/json; charset=utf-8');
    expect(r.body).toEqual({ source: 'toolflow', kind: 'event', title: n.message.title, markdown: n.message.text, event: JSON.parse(JSON.stringify(n.webhook.event)) });
  });

  it('5xx, 429 and a dropped connection are tried again with backoff; the third try is sent', async () => {
    const clock = manualClock();
    const notifier = testNotifier({ webhookUrl: url() }, clock, capturedLog().log);
    statuses.push(503, 'drop');
    const before = received.length;
    await expect(notifier.notify(failureNotification('0000000000a2'))).resolves.toEqual([{ target: 'webhook', outcome: 'sent' }]);
    expect(received.length - before).toBe(3);
    expect(clock.waits).toEqual([375, 750]);
    statuses.push(429, 500, 502);
    const err = await notifier.notify(failureNotification('0000000000a3')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotificationFailedError);
    expect((err as Error).message).toContain('HTTP 502');
  });

  it('another 4xx is refused for good, and no message shows the URL’s token', async () => {
    const clock = manualClock();
    const logs = capturedLog();
    const notifier = testNotifier({ webhookUrl: url() }, clock, logs.log);
    statuses.push(403);
    const before = received.length;
    const err = await notifier.notify(failureNotification('0000000000a4')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotificationRefusedError);
    expect(received.length - before).toBe(1);
    expect((err as Error).message).toContain(`the webhook ${base}/hooks/… answered HTTP 403`);
    expect((err as Error).message).not.toContain('s3cr3t');
    expect(logs.text()).not.toContain('s3cr3t');
    expect(maskTargetUrl(url())).toBe(`${base}/hooks/…`);
    expect(maskTargetUrl('https://u:pw@oapi.dingtalk.com/robot/send?access_token=abc&x=1')).toBe('https://***@oapi.dingtalk.com/robot/send?access_token=***&x=***');
  });

  it('with a robot and the webhook, a redelivery goes only to the one that failed', async () => {
    robot.addRobot('both');
    const clock = manualClock();
    robot.now = () => clock.now();
    const notifier = testNotifier({ webhookUrl: url(), robots: [{ label: 'robot 1', url: robot.robotUrl('both') }] }, clock, capturedLog().log);
    statuses.push(500, 500, 500);
    const n = failureNotification('0000000000a5');
    await expect(notifier.notify(n)).rejects.toBeInstanceOf(NotificationFailedError);
    expect(robot.messages.filter((m) => m.token === 'both')).toHaveLength(1);
    const outcomes = await notifier.notify(n);
    expect(outcomes.sort((a, b) => a.target.localeCompare(b.target))).toEqual([
      { target: 'robot 1', outcome: 'already' },
      { target: 'webhook', outcome: 'sent' },
    ]);
    expect(robot.messages.filter((m) => m.token === 'both')).toHaveLength(1);
  });
});
