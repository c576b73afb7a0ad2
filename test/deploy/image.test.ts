/**
 * The image's recipe (no Docker engine here, so it is read, not built): the Dockerfile's stages,
 * what it copies, what `.dockerignore` keeps out; and its entrypoint, `deploy/with-secrets.sh`,
 * run for real on OpenFaaS-style secret files.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.js';
import { ROOT } from './manifests.js';

const exec = promisify(execFile);
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
/** Instructions, continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
/** The instructions of each stage (`FROM` starts one). */
const stages: string[][] = [];
for (const i of instructions) {
  if (/^FROM /i.test(i)) stages.push([i]);
  else stages.at(-1)?.push(i);
}
const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const SCRIPT = join(ROOT, 'deploy/with-secrets.sh');

describe('Dockerfile', () => {
  it('has a build stage with a compiler for better-sqlite3 and a runtime stage of production dependencies only', () => {
    const build = stages.find((s) => / AS build$/i.test(s[0]!))!;
    expect(build, 'a stage named build').toBeDefined();
    expect(build.join('\n')).toMatch(/apt-get install -y --no-install-recommends python3 make g\+\+/);
    expect(build.join('\n')).toMatch(/npm ci /);
    expect(build.join('\n')).toMatch(/npm run build/);
    expect(build.join('\n')).toMatch(/npm prune --omit=dev/);
    const runtime = stages.at(-1)!;
    expect(runtime[0]).not.toMatch(/ AS /i);
    expect(runtime.join('\n'), 'no compiler and no npm install in the image').not.toMatch(/apt-get|npm (ci|install)/);
    expect(runtime.some((i) => /^USER (node|\d+)$/.test(i) && i !== 'USER 0'), 'runs as a user, not root').toBe(true);
    expect(runtime).toContain('ENTRYPOINT ["with-secrets"]');
    expect(runtime).toContain('CMD ["fwatchdog"]');
  });

  it('uses the Node.js major of package.json engines, and the of-watchdog binary from its image', () => {
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const major = /node:(\d+)-/.exec(dockerfile)?.[1];
    expect(engines).toBe(`>=${major}`);
    expect(dockerfile).toMatch(/WATCHDOG_IMAGE=ghcr\.io\/openfaas\/of-watchdog:\d+\.\d+\.\d+/);
    expect(dockerfile).toContain('COPY --from=watchdog /fwatchdog /usr/bin/fwatchdog');
  });

  it('copies from the build context only files that exist and that .dockerignore keeps', () => {
    for (const i of instructions.filter((l) => /^COPY /.test(l) && !/--from=/.test(l))) {
      const sources = i.split(/\s+/).slice(1, -1).filter((w) => !w.startsWith('--'));
      for (const src of sources) {
        if (src === '.') continue;
        expect(existsSync(join(ROOT, src)), `${i}: ${src}`).toBe(true);
        expect(ignored.some((p) => src === p || src.startsWith(`${p}/`)), `${i}: ${src} is in .dockerignore`).toBe(false);
      }
    }
    accessSync(SCRIPT, constants.X_OK);
  });

  it('the runtime stage carries what the processes read at run time: the compiled code, its modules, package.json, the schemas, the OpenAPI document and the report proto', () => {
    const copied = instructions.filter((l) => /^COPY --from=build /.test(l)).map((l) => l.split(/\s+/)[2]!.replace('/app/', ''));
    expect(copied.sort()).toEqual(['bin', 'dist', 'node_modules', 'openapi', 'package.json', 'proto', 'schema']);
    expect(existsSync(join(ROOT, 'proto/toolflow/reports/v1/reports.proto'))).toBe(true);
    // The modules the manifests start exist where the image has them (dist/ is the build's output).
    expect(existsSync(join(ROOT, 'openapi/openapi.yaml'))).toBe(true);
    expect(readFileSync(join(ROOT, 'bin/toolflow.js'), 'utf8')).toContain('../dist/shared/cli/main.js');
  });

  it('.dockerignore keeps out the local state, the dependencies and faas-cli’s build folders', () => {
    for (const p of ['.git', 'node_modules', 'dist', '.toolflow', 'build', 'template']) expect(ignored).toContain(p);
    for (const needed of ['shared', 'functions', 'bin', 'schema', 'openapi', 'proto', 'deploy', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) {
      expect(ignored, needed).not.toContain(needed);
    }
  });
});

describe('deploy/with-secrets.sh', () => {
  /** Runs the script with `dir` as the secrets folder, printing the environment `node` then sees. */
  async function envAfter(dir: string, env: Record<string, string> = {}): Promise<Record<string, string>> {
    const { stdout } = await exec('sh', [SCRIPT, '--dir', dir, 'node', '-e', 'process.stdout.write(JSON.stringify(process.env))'], { env: { PATH: process.env.PATH!, ...env } });
    return JSON.parse(stdout) as Record<string, string>;
  }

  it('exports each toolflow and AWS secret file as its variable, values as data, one trailing newline dropped', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'toolflow-database-url'), 'mysql://u:p%40ss@db:3306/toolflow\n');
    writeFileSync(join(dir, 'toolflow-amqp-url'), 'amqp://u:$(touch pwned) `id` "q" \'s\'@mq:5672');
    writeFileSync(join(dir, 'aws-access-key-id'), 'AKIA\n\n');
    writeFileSync(join(dir, 'aws-secret-access-key'), 'se cret');
    const env = await envAfter(dir);
    expect(env.TOOLFLOW_DATABASE_URL).toBe('mysql://u:p%40ss@db:3306/toolflow');
    expect(env.TOOLFLOW_AMQP_URL).toBe('amqp://u:$(touch pwned) `id` "q" \'s\'@mq:5672');
    expect(existsSync(join(ROOT, 'pwned'))).toBe(false);
    expect(env.AWS_ACCESS_KEY_ID).toBe('AKIA\n');
    expect(env.AWS_SECRET_ACCESS_KEY).toBe('se cret');
  });

  it('leaves out secrets of other names, names that are not variable names, and variables already set', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'other-secret'), 'x');
    writeFileSync(join(dir, 'toolflow-a.b'), 'x');
    writeFileSync(join(dir, 'toolflow-log-level'), 'debug');
    const env = await envAfter(dir, { TOOLFLOW_LOG_LEVEL: 'warn' });
    expect(env.OTHER_SECRET).toBeUndefined();
    expect(Object.keys(env).filter((k) => k.startsWith('TOOLFLOW_A'))).toEqual([]);
    expect(env.TOOLFLOW_LOG_LEVEL).toBe('warn');
  });

  it('runs the command as it is where there is no secrets folder (Knative, docker run)', async () => {
    const env = await envAfter(join(tempDir(), 'absent'), { TOOLFLOW_HOME: '/tmp/x' });
    expect(env.TOOLFLOW_HOME).toBe('/tmp/x');
  });

  it('refuses to run without a command, saying what to give', async () => {
    const err = (await exec('sh', [SCRIPT]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toContain('give the command to run');
  });
});
