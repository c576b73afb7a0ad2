// Issue 7, section 6 (executor side): environment pass-through that never passes toolflow's secrets;
// and the task's recorded work folder (`workRoot`) for an attempt and its dependencies.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/errors.js';
import { LocalExecutor } from '../../shared/executor/local/local-executor.js';
import { parsePassEnv } from '../../shared/executor/local/pass-env.js';
import { LocalObjectStore } from '../../shared/objects/local-object-store.js';
import { passEnvProblem } from '../../shared/spec/tool-env.js';
import { tempDir } from '../support/tmp.js';
import { request, runAttempt } from './helpers.js';

const dir = tempDir();
const objects = new LocalObjectStore(join(dir, 'objects'));
const set: string[] = [];
function setEnv(vars: Record<string, string>): void {
  for (const [k, v] of Object.entries(vars)) {
    process.env[k] = v;
    set.push(k);
  }
}
afterEach(() => {
  for (const k of set.splice(0)) delete process.env[k];
});

/** `env` of a tool run by a fresh executor, as NAME → value. */
async function toolEnv(executor: LocalExecutor, passEnv: string[] | undefined, env: Record<string, string> = {}): Promise<Record<string, string>> {
  const req = request(['env -0 > env.bin']);
  req.spec = { ...req.spec, env, ...(passEnv ? { passEnv } : {}) };
  const { exit } = await runAttempt(executor, req);
  expect(exit.exitCode).toBe(0);
  const text = readFileSync(join(executor.workDirOf(req.taskId, req.tool, 1), 'env.bin'), 'utf8');
  return Object.fromEntries(text.split('\0').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('environment pass-through', () => {
  it('passes the names of TOOLFLOW_PASS_ENV and of the workflow (passEnv) that are set; the tool env wins', async () => {
    setEnv({ TOOLFLOW_PASS_ENV: 'LD_LIBRARY_PATH, JAVA_HOME,OMP_NUM_THREADS', LD_LIBRARY_PATH: '/opt/lib', JAVA_HOME: '/opt/java', CONDA_PREFIX: '/opt/conda', NOT_NAMED: 'x' });
    const executor = new LocalExecutor({ root: join(dir, 'w1'), objects });
    try {
      const env = await toolEnv(executor, ['CONDA_PREFIX', 'UNSET_ONE'], { JAVA_HOME: '/mine' });
      expect(env).toMatchObject({ LD_LIBRARY_PATH: '/opt/lib', CONDA_PREFIX: '/opt/conda', JAVA_HOME: '/mine' });
      expect(env).not.toHaveProperty('NOT_NAMED');
      expect(env).not.toHaveProperty('UNSET_ONE');
      expect(env).not.toHaveProperty('OMP_NUM_THREADS'); // named but not set
      expect(env).not.toHaveProperty('TOOLFLOW_PASS_ENV');
    } finally {
      await executor.close();
    }
  });

  it("never passes toolflow's own settings or secrets, even when a workflow names them", async () => {
    setEnv({ TOOLFLOW_DATABASE_URL: 'mysql://root:hunter2@db/x', AWS_SECRET_ACCESS_KEY: 'hunter3', GITHUB_TOKEN: 'hunter4', DB_PASSWORD: 'hunter5', MY_Credentials: 'hunter6', TF_TOOL: 'spoofed' });
    const executor = new LocalExecutor({ root: join(dir, 'w2'), objects });
    try {
      const env = await toolEnv(executor, ['TOOLFLOW_DATABASE_URL', 'AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'DB_PASSWORD', 'MY_Credentials', 'TF_TOOL', 'not a name']);
      expect(Object.values(env).join('\n')).not.toMatch(/hunter|spoofed/);
      expect(env.TF_TOOL).toMatch(/^t\d+$/);
    } finally {
      await executor.close();
    }
  });

  it('refuses TOOLFLOW_PASS_ENV entries that are secrets or not names, with a config error that says what to do', () => {
    expect(parsePassEnv(' A , ,B,A')).toEqual(['A', 'B']);
    expect(parsePassEnv(undefined)).toEqual([]);
    expect(() => parsePassEnv('PATH,AWS_SECRET_ACCESS_KEY')).toThrow(ConfigError);
    expect(() => parsePassEnv('PATH,AWS_SECRET_ACCESS_KEY')).toThrow(
      'TOOLFLOW_PASS_ENV: "AWS_SECRET_ACCESS_KEY": AWS_ variables hold toolflow\'s own S3 credentials, so they are never passed to tools; give a tool credentials of its own as an input file (and export AWS_SHARED_CREDENTIALS_FILE="$TF_INPUT_<input>" in its command); remove it from TOOLFLOW_PASS_ENV (names separated by commas, e.g. LD_LIBRARY_PATH,JAVA_HOME)',
    );
    expect(() => parsePassEnv('TOOLFLOW_DATABASE_URL')).toThrow(/TOOLFLOW_ variables configure toolflow itself/);
    expect(() => parsePassEnv('HF_TOKEN')).toThrow(/looks like it holds a secret \(its name contains TOKEN\)/);
    expect(() => parsePassEnv('JAVA-HOME')).toThrow('TOOLFLOW_PASS_ENV: "JAVA-HOME" is not a shell variable name (letters, digits and _, not starting with a digit); remove it from TOOLFLOW_PASS_ENV (names separated by commas, e.g. LD_LIBRARY_PATH,JAVA_HOME)');
    for (const name of ['TF_OPT_x', 'db_password', 'ApiSecret', 'NPM_TOKEN', 'GOOGLE_APPLICATION_CREDENTIALS']) expect(passEnvProblem(name)).toBeDefined();
    for (const name of ['LD_LIBRARY_PATH', 'CONDA_PREFIX', 'http_proxy', 'PYTHONPATH']) expect(passEnvProblem(name)).toBeUndefined();
  });

  // New-user trial of issue 7: TOOLFLOW_PASS_ENV=tf_x,aws_x,toolflow_x,Aws_Region passed all four to the tool.
  it('refuses tf_x, aws_x, toolflow_x and Aws_Region in TOOLFLOW_PASS_ENV, in any case, as the workflow envvars field does', () => {
    for (const name of ['tf_x', 'aws_x', 'toolflow_x', 'Aws_Region']) {
      expect(() => parsePassEnv(name)).toThrow(ConfigError);
      expect(() => parsePassEnv(name)).toThrow(`TOOLFLOW_PASS_ENV: "${name}": `);
    }
    expect(() => parsePassEnv('tf_x,aws_x,toolflow_x,Aws_Region')).toThrow('TOOLFLOW_PASS_ENV: "tf_x": names starting with TF_ are set by toolflow');
    setEnv({ TOOLFLOW_PASS_ENV: 'tf_x,aws_x,toolflow_x,Aws_Region' });
    expect(() => new LocalExecutor({ root: join(dir, 'w4'), objects })).toThrow(ConfigError);
  });

  it('skips the same names when a request names them (passEnv), so none reaches the tool', async () => {
    setEnv({ tf_x: 'hunter7', aws_x: 'hunter8', toolflow_x: 'hunter9', Aws_Region: 'hunter10', LD_LIBRARY_PATH: '/opt/lib' });
    const executor = new LocalExecutor({ root: join(dir, 'w5'), objects, passEnv: [] });
    try {
      const env = await toolEnv(executor, ['tf_x', 'aws_x', 'toolflow_x', 'Aws_Region', 'LD_LIBRARY_PATH']);
      expect(Object.values(env).join('\n')).not.toMatch(/hunter/);
      expect(Object.keys(env).filter((k) => /^(tf_x|aws_x|toolflow_x|Aws_Region)$/.test(k))).toEqual([]);
      expect(env.LD_LIBRARY_PATH).toBe('/opt/lib');
    } finally {
      await executor.close();
    }
  });

  it('the executor reads TOOLFLOW_PASS_ENV when it is made, so a bad value stops the run before any tool', () => {
    setEnv({ TOOLFLOW_PASS_ENV: 'LD_LIBRARY_PATH,DB_PASSWORD' });
    expect(() => new LocalExecutor({ root: join(dir, 'w3'), objects })).toThrow(/TOOLFLOW_PASS_ENV: "DB_PASSWORD" looks like it holds a secret/);
  });
});

describe('the task\'s recorded work folder (workRoot)', () => {
  const executor = new LocalExecutor({ root: join(dir, 'default-root'), objects });
  afterAll(() => executor.close());

  it('puts the attempt, its dependencies and its staged inputs under workRoot, not the executor root', async () => {
    const workRoot = join(dir, 'recorded');
    const a = request(['echo from-a > a.txt'], { workRoot });
    expect((await runAttempt(executor, a)).exit.exitCode).toBe(0);
    writeFileSync(join(dir, 'in.txt'), 'input\n');
    await objects.putFile('me/u9/in.txt', join(dir, 'in.txt'));
    const b = request([`cat "$TF_DEP_${a.tool}/a.txt" "$TF_INPUT_data" > b.txt`, 'echo "$TF_DEP_' + a.tool + '" > dep.txt', 'echo "$TF_INPUT_data" > in.txt'], {
      workRoot,
      deps: [{ tool: a.tool, attempt: 1 }],
      inputs: { data: { key: 'me/u9/in.txt', fileName: 'in.txt' } },
    });
    const { exit } = await runAttempt(executor, b);
    expect(exit.exitCode).toBe(0);
    const bDir = join(workRoot, b.taskId, b.tool, 'attempt-1');
    expect(readFileSync(join(bDir, 'b.txt'), 'utf8')).toBe('from-a\ninput\n');
    expect(readFileSync(join(bDir, 'dep.txt'), 'utf8').trim()).toBe(join(workRoot, a.taskId, a.tool, 'attempt-1'));
    expect(readFileSync(join(bDir, 'in.txt'), 'utf8').trim()).toBe(join(workRoot, b.taskId, '_inputs', 'data', 'in.txt'));
    expect(executor.workDirOf(b.taskId, b.tool, 1)).toBe(join(dir, 'default-root', b.taskId, b.tool, 'attempt-1'));
  });
});
