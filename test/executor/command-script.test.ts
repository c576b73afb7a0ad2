import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandScript, shellQuote } from '../../shared/executor/local/command-script.js';
import type { AttemptRequest } from '../../shared/executor/executor.js';

const request: AttemptRequest = {
  taskId: 't',
  tool: 'x',
  attempt: 1,
  owner: 'me',
  spec: { name: 'x', cmds: ['echo "$V"'], env: {}, outputs: [], image: null },
  values: {},
  inputs: {},
  deps: [],
  resources: { cpuMillicores: 1000, memBytes: 1e6, diskBytes: null, timeSeconds: null },
};

describe('command script', () => {
  it.each(["it's", '$(id)', '`id`', 'a\'b"c', 'line1\nline2', "''", '\\', '!x', ''])('quotes %j so bash reads it back unchanged', (value) => {
    expect(execFileSync('bash', ['-c', `printf '%s' ${shellQuote(value)}`], { encoding: 'utf8' })).toBe(value);
  });

  it('writes the environment, then set -euo pipefail, then the commands', () => {
    const text = commandScript(request, { V: "a'b", PATH: '/bin' });
    expect(text.split('\n')).toEqual(['#!/usr/bin/env bash', '# toolflow: task t, tool x, attempt 1', "export V='a'\\''b'", "export PATH='/bin'", 'set -euo pipefail', 'echo "$V"', '']);
    expect(execFileSync('bash', ['-c', text], { encoding: 'utf8' })).toBe("a'b\n");
  });

  it('refuses a variable name that is not a shell identifier', () => {
    expect(() => commandScript(request, { 'A;rm': 'x' })).toThrow(/invalid environment variable name/);
  });
});
