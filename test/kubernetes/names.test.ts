/**
 * Names of cluster mode's objects: DNS-1123 labels of at most 63 characters (Kubernetes docs,
 * "Object Names and IDs"), deterministic, and never the same for two tools of one task, whatever the
 * workflow allows as a tool name (`^[A-Za-z][A-Za-z0-9_-]{0,62}$`, schema `identifier`).
 */
import { describe, expect, it } from 'vitest';
import { jobName, labelValue, taskSelector, workManagerJobName } from '../../shared/executor/kubernetes/names.js';
import { jobName as reexported } from '../../shared/handlers/schedule-tool.js';
import { newTaskId } from '../../shared/handlers/validate.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

const task = newTaskId();
/** Tool names a workflow may hold, the awkward ones included. */
const tools = [
  'align',
  'align-reads',
  'align_reads',
  'Align_Reads',
  'ALIGN-READS',
  'a',
  'A',
  'tool-',
  'tool_',
  'x'.repeat(63),
  `${'y'.repeat(62)}Z`,
  `${'long-tool-name-'.repeat(3)}end-number-1`,
  `${'long-tool-name-'.repeat(3)}end-number-2`,
  'b--c',
  'b-_c',
];

describe('jobName', () => {
  it('is tf-<task>-<tool>-a<n> for a task id of newTaskId and a tool that is a DNS label already', () => {
    expect(task).toMatch(/^[0-9a-f]{12}$/);
    expect(jobName(task, 'align-reads', 3)).toBe(`tf-${task}-align-reads-a3`);
    expect(jobName('t', 'x', 1)).toBe('tf-t-x-a1');
  });

  it('schedule-tool re-exports the same function (its older importers keep working)', () => {
    expect(reexported).toBe(jobName);
  });

  it('gives every tool name a DNS-1123 label of at most 63 characters, deterministic, ending in its attempt', () => {
    for (const tool of tools) {
      expect(tool).toMatch(IDENTIFIER);
      for (const attempt of [1, 9, 20, 12345]) {
        const name = jobName(task, tool, attempt);
        expect(name, tool).toMatch(DNS_LABEL);
        expect(name.length, tool).toBeLessThanOrEqual(63);
        expect(name.endsWith(`-a${attempt}`), name).toBe(true);
        expect(name.startsWith(`tf-${task}-`), name).toBe(true);
        expect(jobName(task, tool, attempt)).toBe(name);
      }
    }
  });

  it('never gives two tools of a task (case, "_" vs "-", a long common prefix) the same name, nor two attempts', () => {
    const names = new Set<string>();
    for (const tool of tools) for (const attempt of [1, 2, 11]) names.add(jobName(task, tool, attempt));
    expect(names.size).toBe(tools.length * 3);
    // And the same tool in two tasks.
    expect(jobName(newTaskId(), 'align', 1)).not.toBe(jobName(task, 'align', 1));
  });

  it('shortens a long tool name but keeps its start readable', () => {
    const name = jobName(task, `${'long-tool-name-'.repeat(3)}end-number-1`, 1);
    expect(name.length).toBeGreaterThan(58);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(new RegExp(`^tf-${task}-long-tool-name-long-[a-z0-9-]*[a-z0-9]-[0-9a-f]{8}-a1$`));
  });
});

describe('workManagerJobName', () => {
  it('is tf-<task>-wm, a DNS-1035 label (a Service name), apart from every tool Job of the task', () => {
    expect(workManagerJobName(task)).toBe(`tf-${task}-wm`);
    expect(workManagerJobName(task)).toMatch(DNS_1035);
    for (const tool of ['wm', 'w', 'm']) expect(jobName(task, tool, 1)).not.toBe(workManagerJobName(task));
    const long = workManagerJobName('T'.repeat(80));
    expect(long).toMatch(DNS_1035);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long.endsWith('-wm')).toBe(true);
  });
});

describe('labelValue', () => {
  it('keeps a valid value, and makes any other a valid, distinct one', () => {
    expect(labelValue('Align_Reads')).toBe('Align_Reads');
    expect(labelValue(task)).toBe(task);
    const odd = ['tool-', 'tool_', '-x', 'a b', 'ä', '', 'x'.repeat(64), 'x'.repeat(70), ...tools];
    const values = odd.map(labelValue);
    for (const v of values) {
      expect(v).toMatch(LABEL_VALUE);
      expect(v.length).toBeLessThanOrEqual(63);
    }
    expect(new Set(values).size).toBe(new Set(odd).size);
  });

  it('selects a task by its label', () => {
    expect(taskSelector(task)).toBe(`toolflow.io/task=${task}`);
  });
});
