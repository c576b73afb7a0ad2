/**
 * shared/runtime/log.ts on its own: what a line masks and redacts, the id fields bound once, the
 * logger an event's child was made from, and the lazy logger's children (no pino loaded for them).
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { eventLogFields, logOptions, maskSecretsInText, REDACTED, unboundLog, withLogFields } from '../../shared/runtime/log.js';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);

/** A toolflow logger at `level` whose lines are kept, parsed, and as text. */
function capture(level = 'trace', base: Record<string, unknown> = { component: 'test' }) {
  const text: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const log = pino(logOptions(pino, level, base), sink);
  return { log, text, lines: () => text.map((t) => JSON.parse(t) as Record<string, unknown>) };
}

describe('maskSecretsInText', () => {
  it.each([
    ['mysql://root:hunter2@db:3306/x', 'mysql://root:***@db:3306/x'],
    ['RabbitMQ at amqp://u:p@ss@127.0.0.1:5672 lost', 'RabbitMQ at amqp://u:***@127.0.0.1:5672 lost'],
    ['http://root:pw@a:2379,http://root:pw@b:2379', 'http://root:***@a:2379,http://root:***@b:2379'],
    ['POST https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1&sign=a%2Bb%3D failed', 'POST https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=1&sign=*** failed'],
    ['GET /x?X-Amz-Credential=AK%2F1&X-Amz-Signature=deadbeef', 'GET /x?X-Amz-Credential=***&X-Amz-Signature=***'],
    ['Authorization: Bearer tf_0123456789abcdef', 'Authorization: Bearer ***'],
    ['http://127.0.0.1:9000/bucket/key', 'http://127.0.0.1:9000/bucket/key'],
    ['no secret here', 'no secret here'],
  ])('%s', (input, output) => {
    expect(maskSecretsInText(input)).toBe(output);
  });
});

describe('a toolflow logger', () => {
  it('redacts credential fields at the top level, one level down and in request headers', () => {
    const c = capture();
    c.log.info({ token: 't1', password: 'p1', secretAccessKey: 's1', s3: { secretAccessKey: 's2', accessKeyId: 'AKID' }, req: { headers: { authorization: 'Bearer b1', host: 'h' } }, headers: { authorization: 'Bearer b2' }, kept: 'visible' }, 'm');
    expect(c.lines()[0]).toMatchObject({ token: REDACTED, password: REDACTED, secretAccessKey: REDACTED, s3: { secretAccessKey: REDACTED, accessKeyId: 'AKID' }, req: { headers: { authorization: REDACTED, host: 'h' } }, headers: { authorization: REDACTED }, kept: 'visible' });
    for (const s of ['t1', 'p1', 's1', 's2', 'b1', 'b2']) expect(c.text[0]).not.toContain(`"${s}"`);
  });

  it('masks every string of a line: the message, fields 4 levels down, an error’s message and stack, an error logged alone', () => {
    const c = capture();
    c.log.warn({ url: 'amqp://g:pw1@h', deep: { a: { b: ['etcd http://r:pw2@h:2379'] } } }, 'connecting to mysql://u:pw3@db');
    c.log.error({ err: new Error('fetch http://x/robot/send?access_token=tok4 failed') }, 'send failed');
    c.log.error(new Error('mysql://u:pw5@db refused'));
    const all = c.text.join('\n');
    for (const s of ['pw1', 'pw2', 'pw3', 'tok4', 'pw5']) expect(all).not.toContain(s);
    const [first, second, third] = c.lines();
    expect(first).toMatchObject({ url: 'amqp://g:***@h', deep: { a: { b: ['etcd http://r:***@h:2379'] } }, msg: 'connecting to mysql://u:***@db' });
    expect(second!.err).toMatchObject({ type: 'Error', message: 'fetch http://x/robot/send?access_token=*** failed', stack: expect.stringContaining('access_token=***') });
    expect(third).toMatchObject({ msg: 'mysql://u:***@db refused', err: { message: 'mysql://u:***@db refused' } });
  });

  it('binds the ids once: a child of withLogFields, and a merge object repeating them, write each field once', () => {
    const c = capture('info', { component: 'test', taskId: 't1' });
    const child = withLogFields(c.log, { taskId: 't1', tool: 'align[S1]', attempt: 2, function: undefined });
    expect(child.bindings()).toEqual({ component: 'test', taskId: 't1', tool: 'align[S1]', attempt: 2 });
    child.info({ taskId: 't1', tool: 'align[S1]', attempt: 2, exitCode: 0 }, 'exited');
    child.info({ tool: 'other' }, 'about another tool');
    expect(c.text[0]!.match(/"taskId"/g)).toHaveLength(1);
    expect(c.text[0]!.match(/"tool"/g)).toHaveLength(1);
    expect(c.lines()[0]).toMatchObject({ taskId: 't1', tool: 'align[S1]', attempt: 2, exitCode: 0 });
    expect(c.lines()[1]!.tool).toBe('other'); // a different value is written too (JSON readers take the last)
    // Nothing new to bind: the same logger; the logger a child was first made from.
    expect(withLogFields(c.log, { taskId: 't1' })).toBe(c.log);
    expect(unboundLog(withLogFields(child, { function: 'notify' }))).toBe(c.log);
    expect(unboundLog(c.log)).toBe(c.log);
  });

  it('eventLogFields takes the task, tool and attempt of an event’s data, and the function', () => {
    expect(eventLogFields({ data: { taskId: 't', tool: 'a', attempt: 1, other: 'x' } }, 'handle-status')).toEqual({ function: 'handle-status', taskId: 't', tool: 'a', attempt: 1 });
    expect(eventLogFields({ data: { taskId: 't' } })).toEqual({ taskId: 't' });
    expect(eventLogFields({})).toEqual({});
  });
});

describe('lazyLogger children', () => {
  it('are made and bound without loading pino, and write through the real logger once something is logged', async () => {
    const dir = tempDir();
    const trace = join(dir, 'trace.txt');
    writeFileSync(trace, '');
    const module = join(import.meta.dirname, '../../dist/shared/runtime/lazy-logger.js');
    const fields = join(import.meta.dirname, '../../dist/shared/runtime/log.js');
    const script = [
      `import { lazyLogger } from ${JSON.stringify(module)};`,
      `import { withLogFields } from ${JSON.stringify(fields)};`,
      "const log = lazyLogger('warn', { component: 'c' });",
      "const child = withLogFields(log, { taskId: 't9', tool: 'x', attempt: 1 });",
      "child.info('dropped'); child.debug('dropped');",
      "process.stdout.write(JSON.stringify(child.bindings()) + '\\n');",
      "if (process.env.LOG_IT) child.warn({ tool: 'x' }, 'kept');",
    ].join('\n');
    const quiet = await exec('node', ['--import', join(import.meta.dirname, '../support/module-trace.mjs'), '--input-type=module', '-e', script], { env: { ...process.env, TOOLFLOW_MODULE_TRACE: trace } });
    expect(JSON.parse(quiet.stdout)).toEqual({ component: 'c', taskId: 't9', tool: 'x', attempt: 1 });
    expect(quiet.stderr).toBe('');
    expect(readFileSync(trace, 'utf8').split('\n').some((l) => /node_modules\/pino\//.test(l))).toBe(false);
    const loud = await exec('node', ['--input-type=module', '-e', script], { env: { ...process.env, LOG_IT: '1' } });
    const line = JSON.parse(loud.stderr.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 40, component: 'c', taskId: 't9', tool: 'x', attempt: 1, msg: 'kept' });
    expect(loud.stderr.match(/"tool"/g)).toHaveLength(1);
  });
});
