/**
 * What the messages say and how they stay under the size limit: user text escaped, task failures
 * with their failed tools, Alertmanager's payload (version 4) as a message, and the cut, checked
 * byte for byte, also with multi-byte text and escapes at the cutting point.
 */
import { describe, expect, it } from 'vitest';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import { alertmanagerMessage, parseAlertmanagerPayload, type AlertmanagerPayload } from '../../shared/notify/alertmanager.js';
import { cutBytes, escapeMarkdown, eventMessage, fitTitle, MAX_TEXT_BYTES, MAX_TITLE_BYTES, type TaskInfo } from '../../shared/notify/message-format.js';
import { taskFailed } from './helpers.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Alertmanager's payload as its webhook notifier sends it (prometheus/alertmanager notify/webhook). */
function payload(alerts: number, extra: Partial<AlertmanagerPayload> = {}): AlertmanagerPayload {
  return {
    version: '4',
    groupKey: '{}:{alertname="ToolflowTaskFailures"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'toolflow-dingtalk',
    groupLabels: { alertname: 'ToolflowTaskFailures' },
    commonLabels: { alertname: 'ToolflowTaskFailures', severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    alerts: Array.from({ length: alerts }, (_, i) => ({
      status: i % 3 === 2 ? 'resolved' : 'firing',
      labels: { alertname: 'ToolflowTaskFailures', severity: 'warning', instance: `node-${i}:9100` },
      annotations: { summary: `failures on node-${i}`, description: `more than 5 tasks failed in 10 minutes on node-${i}` },
      startsAt: '2026-05-01T10:00:00.000Z',
      endsAt: i % 3 === 2 ? '2026-05-01T10:30:00.000Z' : '0001-01-01T00:00:00Z',
      generatorURL: `http://prometheus.example:9090/graph?g0.expr=rate(x[5m])&i=${i}`,
      fingerprint: `f${i}`,
    })),
    ...extra,
  };
}

describe('markdown escaping', () => {
  it('shows user text as written: inline markup, links, HTML and block starts are escaped', () => {
    expect(escapeMarkdown('**bold** _it_ `code` [x](http://evil.example) <font color=red>x</font> ~s~ a|b \\')).toBe(
      '\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\[x\\](http://evil.example) \\<font color=red\\>x\\</font\\> \\~s\\~ a\\|b \\\\',
    );
    expect(escapeMarkdown('# title\n- item\n+ item\n1. one\n2) two\n  ## indented\n=== setext')).toBe('\\# title\n\\- item\n\\+ item\n1\\. one\n2\\) two\n  \\## indented\n\\=== setext');
    expect(escapeMarkdown('a\r\nb\rc\u0007d\te')).toBe('a\nb\ncd\te');
  });

  it('a task named like markup shows as written in the message, and links nowhere', () => {
    const info: TaskInfo = { name: '**evil**[click](http://evil.example)', owner: '<b>ann</b>', failedTools: [{ tool: 'align[S1]', attempt: 2, reason: 'oom', message: 'out of memory at the 8G cap; # not a heading' }] };
    const m = eventMessage(taskFailed('0123456789ab', '1 tool failed: align[S1]'), info);
    expect(m.text).toContain('\\*\\*evil\\*\\*\\[click\\](http://evil.example)');
    expect(m.text).toContain('owner \\<b\\>ann\\</b\\>');
    expect(m.text).toContain('- **align\\[S1\\]** (attempt 2): oom · out of memory at the 8G cap; # not a heading');
    expect(m.text).not.toMatch(/[^\\]\[click\]/);
    expect(m.title).toBe('toolflow: task failed: **evil**[click](http://evil.example) (0123456789ab)'); // a title is not markdown
  });
});

describe('event messages', () => {
  it('a task failure says which task, whose, what failed and where to read more, and contains the keyword "toolflow"', () => {
    const info: TaskInfo = {
      name: 'variant-calling',
      owner: 'ann',
      startedAt: 1_000_000,
      finishedAt: 1_185_000,
      failedTools: [
        { tool: 'align[S2]', attempt: 3, reason: 'oom', message: 'out of memory at the 8G cap' },
        { tool: 'call', attempt: 1, reason: 'exit', message: 'exited with code 1' },
      ],
    };
    const m = eventMessage(taskFailed('0123456789ab', '2 tools failed'), info);
    expect(m.title).toBe('toolflow: task failed: variant-calling (0123456789ab)');
    expect(m.text).toBe(
      [
        '### toolflow: task failed',
        '**task** variant-calling (0123456789ab) · owner ann · ran 3m 05s',
        '**error**\n\n> 2 tools failed',
        '**failed tools** (2)',
        '- **align\\[S2\\]** (attempt 3): oom · out of memory at the 8G cap',
        '- **call** (attempt 1): exit · exited with code 1',
      ].join('\n\n'),
    );
    expect(m.summary).toBe('task failed: variant-calling (0123456789ab): 2 tools failed');
  });

  it('without the store’s details it says what the event says', () => {
    const m = eventMessage(taskFailed('0123456789ab', 'line one\nline two'));
    expect(m.text).toBe('### toolflow: task failed\n\n**task** 0123456789ab\n\n**error**\n\n> line one  \n> line two');
  });

  it('the other notifiable events have messages of their own', () => {
    const ref = { taskId: '0123456789ab', tool: 'align', attempt: 2 };
    expect(eventMessage(makeEvent(EventType.toolFailed, '/x', { ...ref, reason: 'oom', message: 'out of memory at the 8G cap' })).title).toBe('toolflow: tool failed: align in 0123456789ab');
    const retrying = eventMessage(makeEvent(EventType.toolRetrying, '/x', { ...ref, reason: 'oom', resources: { cpuMillicores: 1000, memBytes: 2 * 2 ** 30, diskBytes: null, timeSeconds: null }, previous: 'killed for memory at 1Gi' }));
    expect(retrying.text).toContain('attempt 2 · after oom · memory 2048Mi');
    expect(eventMessage(makeEvent(EventType.taskSucceeded, '/x', { taskId: '0123456789ab' })).title).toBe('toolflow: task succeeded: 0123456789ab');
    expect(eventMessage(makeEvent(EventType.taskCancelled, '/x', { taskId: '0123456789ab', error: 'cancelled with toolflow cancel' })).text).toContain('> cancelled with toolflow cancel');
  });
});

describe('the size limit', () => {
  it('a failure with a 50 kB error and 300 failed tools is cut under 4000 bytes, whole blocks kept, and says what was cut', () => {
    const info: TaskInfo = { name: 'big', owner: 'ann', failedTools: Array.from({ length: 300 }, (_, i) => ({ tool: `t${i}`, attempt: 1, reason: 'exit', message: `exited with code ${i}` })) };
    const m = eventMessage(taskFailed('0123456789ab', `${'e'.repeat(50_000)}`), info);
    expect(bytes(m.text)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(m.text.startsWith('### toolflow: task failed\n\n**task** big (0123456789ab) · owner ann\n\n**error**')).toBe(true);
    expect(m.text).toMatch(/\n\n_toolflow cut this message to fit the robot's 4000-byte limit: \d+ bytes not shown, from part 3 of 304 on; run toolflow status 0123456789ab for everything_$/);
    // The error alone was 50,000 bytes: most of it is what was cut.
    expect(Number(/(\d+) bytes not shown/.exec(m.text)![1])).toBeGreaterThan(50_000 - MAX_TEXT_BYTES);
  });

  it('many failed tools: every tool that fits is listed whole, the rest counted', () => {
    const info: TaskInfo = { name: 'many', owner: 'ann', failedTools: Array.from({ length: 200 }, (_, i) => ({ tool: `tool_${i}`, attempt: 1, reason: 'exit', message: 'exited with code 1' })) };
    const m = eventMessage(taskFailed('0123456789ab', 'many failed'), info);
    expect(bytes(m.text)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    const listed = m.text.match(/^- \*\*tool\\_\d+\*\* \(attempt 1\): exit · exited with code 1$/gm) ?? [];
    expect(listed.length).toBeGreaterThan(30);
    expect(listed.length).toBeLessThan(200);
    expect(m.text).toContain(`from part ${5 + listed.length} of 204 on`);
  });

  it('multi-byte text is cut at a character, never inside a UTF-8 sequence, and never after a lone backslash', () => {
    const s = '錯誤'.repeat(3000);
    const c = cutBytes(s, 1000);
    expect(bytes(c)).toBeLessThanOrEqual(1000);
    expect(c).toBe('錯誤'.repeat(166) + '錯'); // 3 bytes each: 333 characters
    expect(cutBytes('ab\\*cd', 3)).toBe('ab');
    expect(cutBytes('a\\\\*', 3)).toBe('a\\\\');
    const m = eventMessage(taskFailed('0123456789ab', '😀'.repeat(5000)));
    expect(bytes(m.text)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(m.text).not.toContain('\uFFFD');
    expect(Buffer.from(m.text, 'utf8').toString('utf8')).toBe(m.text);
  });

  it('a title is one line of at most 120 bytes', () => {
    const t = fitTitle(`toolflow: task failed: ${'名'.repeat(100)}\n(x)`);
    expect(bytes(t)).toBeLessThanOrEqual(MAX_TITLE_BYTES);
    expect(t.endsWith('…')).toBe(true);
    expect(t).not.toContain('\n');
  });
});

describe('Alertmanager payload', () => {
  it('a group of firing and resolved alerts becomes one message: firing first, labels, since when, links', () => {
    const m = alertmanagerMessage(parseAlertmanagerPayload(JSON.parse(JSON.stringify(payload(3)))));
    expect(m.title).toBe('toolflow alert: [FIRING:2] ToolflowTaskFailures');
    expect(m.text).toBe(
      [
        '### toolflow alert: \\[FIRING:2\\] ToolflowTaskFailures',
        '**labels** alertname=ToolflowTaskFailures, severity=warning',
        '**firing** (2)',
        '- **firing** failures on node-0  \n  more than 5 tasks failed in 10 minutes on node-0  \n  instance=node-0:9100  \n  since 2026-05-01T10:00:00.000Z · [source](http://prometheus.example:9090/graph?g0.expr=rate%28x%5B5m%5D%29&i=0)',
        '- **firing** failures on node-1  \n  more than 5 tasks failed in 10 minutes on node-1  \n  instance=node-1:9100  \n  since 2026-05-01T10:00:00.000Z · [source](http://prometheus.example:9090/graph?g0.expr=rate%28x%5B5m%5D%29&i=1)',
        '**resolved** (1)',
        '- **resolved** failures on node-2  \n  more than 5 tasks failed in 10 minutes on node-2  \n  instance=node-2:9100  \n  ended 2026-05-01T10:30:00.000Z · [source](http://prometheus.example:9090/graph?g0.expr=rate%28x%5B5m%5D%29&i=2)',
        '[Alertmanager](http://alertmanager.example:9093/)',
      ].join('\n\n'),
    );
  });

  it('labels and annotations are escaped; a link that is not http(s) is left out; truncated alerts are said', () => {
    const p = payload(1, { truncatedAlerts: 7 });
    p.alerts[0]!.annotations = { summary: '[click](http://evil.example) **now**' };
    p.alerts[0]!.labels.instance = '<script>';
    p.alerts[0]!.generatorURL = 'javascript:alert(1)';
    const m = alertmanagerMessage(parseAlertmanagerPayload(p));
    expect(m.text).toContain('- **firing** \\[click\\](http://evil.example) \\*\\*now\\*\\*');
    expect(m.text).toContain('instance=\\<script\\>');
    expect(m.text).not.toContain('javascript:');
    expect(m.text).toContain('_Alertmanager left out 7 more alerts (max\\_alerts)_');
  });

  it('a group of 500 alerts is cut under the limit and points to Alertmanager', () => {
    const m = alertmanagerMessage(parseAlertmanagerPayload(payload(500)));
    expect(bytes(m.text)).toBeLessThanOrEqual(MAX_TEXT_BYTES);
    expect(m.text).toMatch(/bytes not shown, from part \d+ of 505 on; see \[Alertmanager\]\(http:\/\/alertmanager.example:9093\/\)_$/);
  });

  it.each([
    [{ version: '3', status: 'firing', alerts: [] }, 'version "3" is not taken'],
    [{ version: 4, status: 'firing', alerts: [] }, 'version 4 is not taken'],
    [{ version: '4', status: 'firing' }, 'alerts must be an array'],
    [{ version: '4', status: 'firing', alerts: [{ labels: {} }] }, 'alerts[0].status'],
    [{ version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { a: 1 } }] }, 'alerts[0].labels must map names to strings'],
    [[], 'must be a JSON object'],
  ])('refuses what is not the version 4 payload: %j', (body, message) => {
    expect(() => parseAlertmanagerPayload(body)).toThrow(message);
  });
});
