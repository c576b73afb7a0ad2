// The runtime's logger is made on first use (shared/runtime/lazy-logger.ts, start-up cost issue 10
// §6): an embedded run that logs nothing never loads pino, and what is logged still reaches stderr
// as pino writes it. Run on the compiled modules in a process of their own, as the start-up tests do.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const TRACE = join(import.meta.dirname, '../support/module-trace.mjs');
const MODULE = join(root, 'dist/shared/runtime/lazy-logger.js');
const dir = tempDir();
let n = 0;

/** Runs `code` (an ES module body with `lazyLogger` in scope) under the module trace; returns its stderr and whether pino was loaded. */
async function withLogger(code: string): Promise<{ stderr: string; pino: boolean }> {
  const trace = join(dir, `trace-${n++}.txt`);
  writeFileSync(trace, '');
  const script = `import { lazyLogger } from ${JSON.stringify(MODULE)};\n${code}\n`;
  const { stderr } = await exec('node', ['--import', TRACE, '--input-type=module', '-e', script], { env: { ...process.env, TOOLFLOW_MODULE_TRACE: trace } });
  return { stderr, pino: readFileSync(trace, 'utf8').split('\n').some((l) => /node_modules\/pino\//.test(l)) };
}

describe('lazy logger', () => {
  it('drops calls below its level without loading pino', async () => {
    const r = await withLogger("const log = lazyLogger('warn', { component: 'toolflow' }); log.info({ a: 1 }, 'x'); log.debug('y'); log.trace('z');");
    expect(r.stderr).toBe('');
    expect(r.pino).toBe(false);
  });

  it('writes a warning as pino does (JSON on stderr, with its level, base fields and message)', async () => {
    const r = await withLogger("const log = lazyLogger('warn', { component: 'toolflow' }); log.info('dropped'); log.warn({ taskId: 't1' }, 'watchdog fired'); log.error('bad');");
    expect(r.pino).toBe(true);
    const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 40, component: 'toolflow', taskId: 't1', msg: 'watchdog fired' });
    expect(lines[1]).toMatchObject({ level: 50, component: 'toolflow', msg: 'bad' });
  });

  it('logs everything at level info and above when made with info, and nothing with silent', async () => {
    const info = await withLogger("const log = lazyLogger('info', { component: 'c' }); log.debug('no'); log.info('yes');");
    expect(info.stderr.trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['yes']);
    const silent = await withLogger("const log = lazyLogger('silent', { component: 'c' }); log.error('no'); log.fatal('no');");
    expect(silent.stderr).toBe('');
    expect(silent.pino).toBe(false);
  });

  it('an embedded toolflow run that logs nothing does not load pino', async () => {
    const trace = join(dir, `trace-${n++}.txt`);
    writeFileSync(trace, '');
    const file = join(dir, 'one.yaml');
    writeFileSync(file, 'name: one\ntools:\n  - name: hello\n    cmds: [echo hi]\n');
    const env: NodeJS.ProcessEnv = { ...process.env, TOOLFLOW_HOME: join(dir, 'home'), TOOLFLOW_MODULE_TRACE: trace };
    for (const name of ['TOOLFLOW_DATABASE_URL', 'TOOLFLOW_AMQP_URL', 'TOOLFLOW_ETCD_ENDPOINTS', 'TOOLFLOW_S3_BUCKET', 'TOOLFLOW_S3_ENDPOINT', 'TOOLFLOW_LOG_LEVEL', 'K_SINK']) delete env[name];
    const { stdout } = await exec('node', ['--import', TRACE, join(root, 'bin/toolflow.js'), 'run', file, '--json'], { env, cwd: dir });
    expect(JSON.parse(stdout)).toMatchObject({ status: 'succeeded' });
    expect(readFileSync(trace, 'utf8').split('\n').some((l) => /node_modules\/pino\//.test(l))).toBe(false);
  });
});
