import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attemptDir, cleanLine, readStderrTail, workRootOf } from '../../shared/cli/attempt-files.js';
import { checkToolName } from '../../shared/cli/logs-command.js';
import { parseStatusFilter } from '../../shared/cli/status-command.js';
import { countOf, failureDetails, type ToolSummary } from '../../shared/cli/summary.js';
import { ConfigError } from '../../shared/errors.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir();

function attemptWith(stderr: string): string {
  const d = join(dir, `a${Math.random().toString(16).slice(2)}`);
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'stderr.log'), stderr);
  return d;
}

describe('the stderr tail of a failed attempt', () => {
  it('is its last 5 non-blank lines, oldest first', async () => {
    const d = attemptWith(Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n') + '\n\n');
    expect(await readStderrTail(d)).toEqual(['line 8', 'line 9', 'line 10', 'line 11', 'line 12']);
  });

  it('is empty for an empty stderr, and null when there is no stderr.log', async () => {
    expect(await readStderrTail(attemptWith(''))).toEqual([]);
    expect(await readStderrTail(join(dir, 'no-such-attempt'))).toBeNull();
  });

  it('reads only the end of a large file, without the cut first line', async () => {
    const d = attemptWith('x'.repeat(1_000_000) + '\nalmost\nlast\n');
    expect(await readStderrTail(d, 5)).toEqual(['almost', 'last']);
  });

  it('keeps what a terminal would show of a progress bar redrawn with carriage returns', async () => {
    expect(await readStderrTail(attemptWith('10%\r50%\r100%\r\ndone\r\n'))).toEqual(['100%', 'done']);
  });

  it('cannot drive the reader\'s terminal: escape sequences and control characters are removed', () => {
    expect(cleanLine('\u001b[31mred\u001b[0m \u001b]0;pwned\u0007title\u0008 bell\u0007')).toBe('red title bell');
    expect(cleanLine('a\tb   ')).toBe('a  b');
    expect(cleanLine('y'.repeat(500))).toHaveLength(200);
    expect(cleanLine('y'.repeat(500)).endsWith('…')).toBe(true);
  });
});

describe('where an attempt\'s files are', () => {
  it('is <root>/<task>/<tool>/attempt-<n>, the root recorded on the task when there is one', () => {
    expect(attemptDir('/w', 'abc', 'align', 2)).toBe('/w/abc/align/attempt-2');
    expect(workRootOf({ work_dir: '/recorded' }, '/configured')).toBe('/recorded');
    expect(workRootOf({ work_dir: null }, '/configured')).toBe('/configured');
  });
});

describe('a failed tool in the summary', () => {
  const tool: ToolSummary = { name: 'bad', status: 'failed', attempts: [], exitCode: 1, reason: 'exit', message: 'exited with code 1', durationMs: 10, peakMemBytes: null, evidence: null, workDir: '/w/t1/bad/attempt-1', stderrTail: ['cat: x: No such file or directory'], instance: null, cached: null, outputs: [], cpuMillicores: 1000, requestedCpuMillicores: null };

  it('shows its message, its stderr tail and where its logs are', () => {
    expect(failureDetails('t1', tool)).toEqual([
      '  bad: exited with code 1',
      '    stderr: cat: x: No such file or directory',
      '    logs:   /w/t1/bad/attempt-1/ (toolflow logs t1 bad)',
    ]);
  });

  it('shows what the platform said, when the outcome came from it (cluster mode: the Pod status)', () => {
    const evidence = 'pod tf-t1-bad-a1-x: container tool terminated, reason OOMKilled, exit code 137';
    expect(failureDetails('t1', { ...tool, evidence })[1]).toBe(`    seen:   ${evidence}`);
  });

  it('says so when stderr was empty, or when the logs are not on this machine', () => {
    expect(failureDetails('t1', { ...tool, stderrTail: [] })[1]).toBe('    stderr: (empty)');
    expect(failureDetails('t1', { ...tool, stderrTail: null })).toEqual(['  bad: exited with code 1', '    logs:   /w/t1/bad/attempt-1/ (not found on this machine)']);
  });
});

describe('CLI words', () => {
  it('counts in the singular for one, the plural otherwise', () => {
    expect(countOf(1, 'tool')).toBe('1 tool');
    expect(countOf(0, 'tool')).toBe('0 tools');
    expect(countOf(2, 'dependency', 'dependencies')).toBe('2 dependencies');
  });

  it('--status takes task statuses, comma-separated or repeated, and names the valid ones otherwise', () => {
    expect(parseStatusFilter('failed,Processing', ['failed'])).toEqual(['failed', 'processing']);
    expect(() => parseStatusFilter('running')).toThrow('"running" is not a task status; use one of queued, processing, succeeded, failed, cancelled');
  });

  it.each(['../x', '..', 'a/b', '/etc', 'a b', '_inputs', '-rf', '', 'x'.repeat(64), 'align[../x]', 'align[]', '[A]', 'align[A]/x', 'a[b][c]', '../x[A]'])('refuses %j as a tool name', (name) => {
    expect(() => checkToolName(name)).toThrow(ConfigError);
    expect(() => checkToolName(name)).toThrow('is not a tool name');
  });

  it('takes a valid tool name as it is', () => {
    expect(checkToolName('make-index_2')).toBe('make-index_2');
    expect(checkToolName('align[S1.r-2_x]')).toBe('align[S1.r-2_x]');
  });
});
