import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../shared/store/open-store.js';
import { freshMysqlDatabase, skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/toolflow.js');
const EXAMPLES = join(import.meta.dirname, '../../examples');
const home = tempDir();

describe.skipIf(skipped('mysql'))('the CLI with a MariaDB store', () => {
  let db: Awaited<ReturnType<typeof freshMysqlDatabase>>;
  beforeAll(async () => {
    db = await freshMysqlDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('runs an example and leaves its task and attempt rows in MariaDB', async () => {
    const { stdout } = await exec('node', [BIN, 'run', join(EXAMPLES, 'oom-rerun/workflow.yaml'), '--json'], { env: { ...process.env, TOOLFLOW_HOME: home, TOOLFLOW_DATABASE_URL: db.url } });
    const result = JSON.parse(stdout) as { taskId: string; status: string };
    expect(result.status).toBe('succeeded');
    const store = await openStore(db.url);
    try {
      expect((await store.getTask(result.taskId))!.status).toBe('succeeded');
      const runs = await store.listToolRuns(result.taskId);
      expect(runs.map((r) => [r.tool, r.attempt, r.status, r.reason])).toEqual([
        ['after', 1, 'succeeded', null],
        ['hold_in_memory', 1, 'failed', 'oom'],
        ['hold_in_memory', 2, 'succeeded', null],
      ]);
      expect(runs[2]!.mem_bytes).toBe(128e6);
    } finally {
      await store.close();
    }
  });

  it('names an unreachable server with the password masked, exit 2', async () => {
    const r = await exec('node', [BIN, 'status'], { env: { ...process.env, TOOLFLOW_HOME: home, TOOLFLOW_DATABASE_URL: 'mysql://root:s3cret@127.0.0.1:1/toolflow' } }).catch((e: { code: number; stderr: string }) => e);
    expect(r).toMatchObject({ code: 2 });
    expect((r as { stderr: string }).stderr).toContain('cannot use MySQL at mysql://root:***@127.0.0.1:1/toolflow');
    expect((r as { stderr: string }).stderr).not.toContain('s3cret');
  });
});

describe('the CLI with S3 objects', () => {
  it('uploads the input to S3 and the tools read it from there', async () => {
    const { default: S3rver } = await import('s3rver');
    const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(home, 's3'), configureBuckets: [{ name: 'inputs', configs: [] }] });
    const { port } = (await server.run()) as unknown as { port: number };
    try {
      const env = { ...process.env, TOOLFLOW_HOME: join(home, 's3-run'), TOOLFLOW_S3_BUCKET: 'inputs', TOOLFLOW_S3_ENDPOINT: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', TOOLFLOW_OWNER: 'ann' };
      const reads = join(EXAMPLES, 'reads-qc/data/reads.fastq');
      const { stdout } = await exec('node', [BIN, 'run', join(EXAMPLES, 'reads-qc/workflow.yaml'), '--input', `reads=${reads}`, '--json'], { env });
      expect((JSON.parse(stdout) as { status: string }).status).toBe('succeeded');
      const { readdirSync } = await import('node:fs');
      const owners = readdirSync(join(home, 's3', 'inputs'));
      expect(owners).toEqual(['ann']);
    } finally {
      await server.close();
    }
  });
});
