import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../shared/store/open-store.js';
import { freshMysqlDatabase, skipped } from '../support/services.js';
import { startHttpRecorder } from '../support/http-recorder.js';
import { ensureRgw, rgwBucket, rgwEnv, type Rgw, type RgwBucket } from '../support/rgw.js';
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

// S3 is radosgw: inputs are uploaded through tus's S3 store, which needs ListParts and
// AbortMultipartUpload (s3rver answers 405); what is left is read from the server (ListMultipartUploads).
describe('the CLI with S3 objects', () => {
  let rgw: Rgw;
  const buckets: RgwBucket[] = [];
  const bucketOf = async (what: string) => {
    rgw ??= await ensureRgw();
    const b = await rgwBucket(rgw, `toolflow-${what}-${randomBytes(4).toString('hex')}`);
    buckets.push(b);
    return b;
  };
  afterAll(async () => {
    for (const b of buckets) await b.remove();
  });

  it('on Ctrl-C during an input upload, aborts the multipart upload, leaves nothing in the bucket and exits 130', async () => {
    const bucket = await bucketOf('abort');
    const recorder = await startHttpRecorder(Number(new URL(rgw.endpoint).port));
    recorder.delayMs = 300;
    try {
      const big = join(home, 'big.fastq');
      writeFileSync(big, randomBytes(40 * 1024 * 1024));
      const wf = join(home, 'one-input.yaml');
      writeFileSync(wf, 'name: one-input\ninputs:\n  data: {type: file, required: true}\ntools:\n  - {name: a, cmds: ["true"]}\n');
      const env = { ...process.env, TOOLFLOW_HOME: join(home, 's3-abort-run'), ...rgwEnv(rgw, bucket.name), TOOLFLOW_S3_ENDPOINT: `http://127.0.0.1:${recorder.port}` };
      const child = spawn('node', [BIN, 'run', wf, '--input', `data=${big}`], { env, stdio: 'ignore' });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      while (!recorder.requests.some((r) => r.includes('partNumber=1&uploadId='))) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      const uploadId = /uploadId=([^&]+)/.exec(recorder.requests.find((r) => r.includes('partNumber=1&uploadId='))!)![1];
      expect(recorder.requests.filter((r) => r.startsWith('DELETE ') && r.includes(`uploadId=${uploadId}`))).toHaveLength(1);
      expect(recorder.requests.some((r) => r.startsWith('POST ') && r.includes(`uploadId=${uploadId}`))).toBe(false);
      // The server holds nothing of it: no open multipart upload, no object, no tus record.
      expect(await bucket.openUploads()).toEqual([]);
      expect(await bucket.keys()).toEqual([]);
    } finally {
      await recorder.close();
    }
  });

  it('uploads the input to S3 and the tools read it from there', async () => {
    const bucket = await bucketOf('inputs');
    const env = { ...process.env, TOOLFLOW_HOME: join(home, 's3-run'), ...rgwEnv(rgw, bucket.name), TOOLFLOW_OWNER: 'ann' };
    const reads = join(EXAMPLES, 'reads-qc/data/reads.fastq');
    const { stdout } = await exec('node', [BIN, 'run', join(EXAMPLES, 'reads-qc/workflow.yaml'), '--input', `reads=${reads}`, '--json'], { env });
    expect((JSON.parse(stdout) as { status: string }).status).toBe('succeeded');
    const keys = await bucket.keys();
    const input = keys.filter((k) => !k.startsWith('_tus/'));
    expect(input).toHaveLength(1);
    expect(input[0]).toMatch(/^ann\/[0-9a-f-]{36}\/reads\.fastq$/);
    expect(keys.filter((k) => k.startsWith('_tus/'))).toEqual([`_tus/ann/${input[0]!.split('/')[1]}.info`]);
    expect(await bucket.openUploads()).toEqual([]);
  });
});
