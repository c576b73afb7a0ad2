/**
 * The notify settings from the environment: robots with their secrets in order, the webhook, the
 * events that notify (default task.failed), the Alertmanager token; every refusal names the
 * variable and never shows a URL (it holds a token).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/errors.js';
import { EventType } from '../../shared/events/catalog.js';
import { maskTargetUrl, notifySettings, scrub } from '../../shared/notify/notify-settings.js';

const URL1 = 'https://oapi.dingtalk.com/robot/send?access_token=aaaa1111';
const URL2 = 'https://oapi.dingtalk.com/robot/send?access_token=bbbb2222';

describe('notify settings', () => {
  it('nothing set: no target, task.failed notifies, Alertmanager refused', () => {
    expect(notifySettings({})).toEqual({ robots: [], events: [EventType.taskFailed] });
  });

  it('robots in order, each with its secret (an empty entry: unsigned), the webhook, the events, the token', () => {
    const s = notifySettings({
      TOOLFLOW_NOTIFY_DINGTALK_URL: ` ${URL1} , ${URL2}`,
      TOOLFLOW_NOTIFY_DINGTALK_SECRET: 'SECone,',
      TOOLFLOW_NOTIFY_WEBHOOK_URL: 'https://hooks.example.com/services/T/B/X',
      TOOLFLOW_NOTIFY_EVENTS: 'task.failed, io.toolflow.tool.retrying,tool.failed,task.failed',
      TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN: '0123456789abcdef',
    });
    expect(s).toEqual({
      robots: [
        { label: 'robot 1', url: URL1, secret: 'SECone' },
        { label: 'robot 2', url: URL2 },
      ],
      webhookUrl: 'https://hooks.example.com/services/T/B/X',
      events: [EventType.taskFailed, EventType.toolRetrying, EventType.toolFailed],
      alertmanagerToken: '0123456789abcdef',
    });
    expect(notifySettings({ TOOLFLOW_NOTIFY_EVENTS: 'none' }).events).toEqual([]);
  });

  it.each([
    [{ TOOLFLOW_NOTIFY_DINGTALK_URL: 'oapi.dingtalk.com/robot/send?access_token=secret123' }, 'TOOLFLOW_NOTIFY_DINGTALK_URL: the URL of robot 1 must be an http:// or https:// URL (the value is not shown: it holds a token)'],
    [{ TOOLFLOW_NOTIFY_DINGTALK_URL: `${URL1},,${URL2}` }, 'TOOLFLOW_NOTIFY_DINGTALK_URL has an empty entry'],
    [{ TOOLFLOW_NOTIFY_DINGTALK_URL: `${URL1},${URL2}`, TOOLFLOW_NOTIFY_DINGTALK_SECRET: 'SECone' }, 'TOOLFLOW_NOTIFY_DINGTALK_SECRET has 1 entry for 2 robots in TOOLFLOW_NOTIFY_DINGTALK_URL: give one secret per robot, in the same order'],
    [{ TOOLFLOW_NOTIFY_DINGTALK_SECRET: 'SECone' }, 'TOOLFLOW_NOTIFY_DINGTALK_SECRET has 1 entry for 0 robots'],
    [{ TOOLFLOW_NOTIFY_WEBHOOK_URL: 'ftp://x/secret123' }, 'TOOLFLOW_NOTIFY_WEBHOOK_URL: the webhook URL must be an http:// or https:// URL'],
    [{ TOOLFLOW_NOTIFY_WEBHOOK_URL: 'http://user:secret123@127.0.0.1:18699/hook' }, 'TOOLFLOW_NOTIFY_WEBHOOK_URL: the webhook URL holds a user name or password (user:password@)'],
    [{ TOOLFLOW_NOTIFY_EVENTS: 'task.submitted' }, 'TOOLFLOW_NOTIFY_EVENTS: "task.submitted" is not an event that notifies'],
    [{ TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN: 'too-short' }, 'TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN must be at least 16 characters'],
    [{ TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN: 'has spaces in it, sixteen+' }, 'TOOLFLOW_NOTIFY_ALERTMANAGER_TOKEN must be visible ASCII characters, no spaces'],
  ])('refuses %j', (env, message) => {
    let err: unknown;
    try {
      notifySettings(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(message);
    expect((err as Error).message).not.toContain('secret123');
  });

  it('masks target URLs and scrubs secrets, their URL-encoded form too', () => {
    expect(maskTargetUrl(URL1)).toBe('https://oapi.dingtalk.com/robot/send?access_token=***');
    expect(maskTargetUrl('http://127.0.0.1:8080/robot/send?access_token=x&timestamp=1&sign=a%2Bb')).toBe('http://127.0.0.1:8080/robot/send?access_token=***&timestamp=***&sign=***');
    expect(maskTargetUrl('https://hooks.example.com/services/T/B/X')).toBe('https://hooks.example.com/services/…');
    expect(maskTargetUrl('not a url')).toBe('(a URL that does not parse)');
    expect(scrub('a+b/c= and a%2Bb%2Fc%3D', ['a+b/c='])).toBe('*** and ***');
  });
});
