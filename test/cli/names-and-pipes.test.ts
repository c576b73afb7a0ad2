// What a new user found in uploads from the CLI (issue 11), with the exact inputs: names printed
// raw (terminal escapes, bidi), piped inputs refused, malformed upload settings that hang a server
// or wrongly exit 1, the owner rule. The compiled CLI, through bash where the user used bash.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EtcdCoordination } from '../../shared/coordination/etcd-coordination.js';
import type { UploadDoc } from '../../shared/uploads/upload-doc.js';
import { BIN, toolflow } from '../support/cli.js';
import { AMQP_URL, deleteAmqpNamespace, freshMysqlDatabase, requireRabbitmq, runPrefix, skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);
const dir = tempDir();
const home = join(dir, 'home');
const env = { TOOLFLOW_HOME: home, TOOLFLOW_OWNER: 'ann' };
const ESC = '\u001b';
const bad = `names/bad${ESC}[31mRED\nline\u202ex.fq`;
writeFileSync(join(dir, 'wf.yaml'), `name: fmt\ninputs:\n  reads: {format: fastq}\ntools:\n  - {name: head, mem: 64Mi, cmds: ['head -1 "$TF_INPUT_reads"']}\n`);
writeFileSync(join(dir, 'wf4.yaml'), `name: p\ninputs:\n  reads: {}\ntools:\n  - {name: head, mem: 64Mi, cmds: ['head -1 "$TF_INPUT_reads"']}\n`);
writeFileSync(join(dir, 'r.fq'), '@r1\nACGT\n+\nIIII\n');
writeFileSync(join(dir, 'ref.fa'), '>chr1\nACGT\n');
mkdirSync(join(dir, 'names'));
writeFileSync(join(dir, bad), '>chr1\nACGT\n');
writeFileSync(join(dir, 'names', 'x\u2024\u2024y\u202e.fq'), '@r1\nACGT\n+\nIIII\n');

/** Runs `script` in bash in the test folder (process substitution, pipes), never throwing on a non-zero exit. */
async function bash(script: string, extra: Record<string, string> = env): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('bash', ['-c', script], { cwd: dir, env: { ...process.env, ...extra, TF: `node ${BIN}` }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** True when `text` holds a raw control, bidi or look-alike character. */
// eslint-disable-next-line no-control-regex
const raw = (text: string) => /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2024\u2025]/.test(text);

describe('names are escaped wherever the CLI prints them', () => {
  it('run: the --input prefix and the quoted path of a format mismatch are escaped; --json too', async () => {
    const r = await toolflow(['run', join(dir, 'wf.yaml'), '--input', `reads=${join(dir, bad)}`], env);
    expect(r.code).toBe(2);
    const shown = `${dir}/names/bad\\u001b[31mRED\\nline\\u202ex.fq`;
    expect(r.stderr).toBe(`1 problem:\n--input reads=${shown}: reads: "${shown}": expected fastq: the first record must start with '@', found '>chr1' (FASTA?) (inputs.reads declares format: fastq)\n`);
    const j = await toolflow(['run', join(dir, 'wf.yaml'), '--input', `reads=${join(dir, bad)}`, '--json'], env);
    expect(raw(j.stdout)).toBe(false);
    const issue = (JSON.parse(j.stdout) as { issues: { file: string; message: string }[] }).issues[0]!;
    expect(issue.file).toBe(`--input reads=${shown}`);
    expect(issue.message.startsWith(`"${shown}": expected fastq`)).toBe(true);
  });

  it('run: a path that does not exist is escaped in both places', async () => {
    const r = await toolflow(['run', join(dir, 'wf.yaml'), '--input', `reads=names/nonexist${ESC}[31m`], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('1 problem:\n--input reads=names/nonexist\\u001b[31m: reads: "names/nonexist\\u001b[31m" does not exist or cannot be read\n');
  });

  it('TOOLFLOW_OWNER with an escape is refused, escaped, exit 2; the owner rule is the one of token create (a@b taken, .. refused without listing "." as a start)', async () => {
    const r = await toolflow(['upload', join(dir, 'ref.fa')], { ...env, TOOLFLOW_OWNER: `a${ESC}[31mb` });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('toolflow: TOOLFLOW_OWNER: "a\\u001b[31mb" is not an owner name: use letters, digits, ".", "_", "-" and "@", starting with a letter or digit, at most 128 characters\n');
    const dots = await toolflow(['upload', join(dir, 'ref.fa')], { ...env, TOOLFLOW_OWNER: '..' });
    expect([dots.code, dots.stderr]).toEqual([2, 'toolflow: TOOLFLOW_OWNER: ".." is not an owner name: use letters, digits, ".", "_", "-" and "@", starting with a letter or digit, at most 128 characters\n']);
    const at = await toolflow(['upload', join(dir, 'ref.fa')], { ...env, TOOLFLOW_OWNER: 'a@b' });
    expect(at.code, at.stderr).toBe(0);
    for (const owner of ['_tus', '-x', '.hidden']) expect((await toolflow(['upload', join(dir, 'ref.fa')], { ...env, TOOLFLOW_OWNER: owner })).code, owner).toBe(2);
  });

  it('upload --json writes the bidi and look-alike characters of "file" as \\u escapes (jsonSafe)', async () => {
    const r = await bash('$TF upload names/* --json');
    expect(r.code, r.stderr).toBe(0);
    expect(raw(r.stdout)).toBe(false);
    expect(r.stdout).toContain('"file":"names/x\\u2024\\u2024y\\u202e.fq"');
    expect(r.stdout).toContain('"file":"names/bad\\u001b[31mRED\\nline\\u202ex.fq"');
    expect((JSON.parse(r.stdout) as { file: string }[]).map((x) => x.file)).toEqual([bad, 'names/x\u2024\u2024y\u202e.fq']);
  });

  it('upload: a missing file is a failed file (exit 1, the others uploaded); a malformed upload setting is configuration (exit 2, nothing uploaded)', async () => {
    const missing = await toolflow(['upload', join(dir, 'nonexist'), join(dir, 'r.fq')], env);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/^[0-9a-f-]{36}\t/);
    const part = await toolflow(['upload', join(dir, 'r.fq')], { ...env, TOOLFLOW_UPLOAD_PART_BYTES: '1M' });
    expect([part.code, part.stdout, part.stderr]).toEqual([2, '', "toolflow: TOOLFLOW_UPLOAD_PART_BYTES: 1000000 bytes is outside S3's part sizes; give 5Mi to 5Gi\n"]);
    const both = await toolflow(['upload', join(dir, 'nonexist')], { ...env, TOOLFLOW_UPLOAD_PART_BYTES: '1M' });
    expect(both.code).toBe(2);
  });
});

describe('piped inputs, embedded mode: read once into the store', () => {
  it('--input reads=<(cat r.fq) runs, with and without format:', async () => {
    for (const wf of ['wf4.yaml', 'wf.yaml']) {
      const r = await bash(`$TF run ${wf} --input reads=<(cat r.fq) --json --no-cache`);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { status: string }).status).toBe('succeeded');
    }
  });

  it('cat r.fq | … --input reads=/dev/stdin runs; the copy is in the store, read-only', async () => {
    const r = await bash('cat r.fq | $TF run wf.yaml --input reads=/dev/stdin --json --no-cache');
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { status: string }).status).toBe('succeeded');
    const copies = readdirSync(join(home, 'objects', 'ann'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile() && d.name === 'stdin');
    expect(copies.length).toBeGreaterThan(0);
  });

  it('a pipe whose bytes are not of the declared format is refused after its first bytes, as a file would be (exit 2), and nothing of it is kept', async () => {
    const before = existsSync(join(home, 'objects', 'ann')) ? readdirSync(join(home, 'objects', 'ann')).length : 0;
    const r = await bash('$TF run wf.yaml --input reads=<(cat ref.fa)');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^1 problem:\n--input reads=\/dev\/fd\/\d+: reads: "\/dev\/fd\/\d+": expected fastq: the first record must start with '@', found '>chr1' \(FASTA\?\) \(inputs\.reads declares format: fastq\)\n$/);
    expect(readdirSync(join(home, 'objects', 'ann')).length).toBe(before);
  });
});

describe.skipIf(skipped('mysql') || skipped('rabbitmq') || skipped('etcd'))('services mode (MariaDB, RabbitMQ, etcd)', () => {
  const etcdEndpoints = inject('etcdEndpoints');
  const namespace = runPrefix();
  let db: Awaited<ReturnType<typeof freshMysqlDatabase>>;
  let services: Record<string, string>;
  beforeAll(async () => {
    await requireRabbitmq();
    db = await freshMysqlDatabase();
    services = { TOOLFLOW_HOME: join(dir, 'svc-home'), TOOLFLOW_OWNER: 'ann', TOOLFLOW_DATABASE_URL: db.url, TOOLFLOW_AMQP_URL: AMQP_URL, TOOLFLOW_ETCD_ENDPOINTS: etcdEndpoints, TOOLFLOW_NAMESPACE: namespace };
  });
  afterAll(async () => {
    await db?.drop();
    await deleteAmqpNamespace(namespace, ['enqueue', 'handle-status', 'rerun-policy']);
  });

  it('a pipe is uploaded with its length told at its end (deferred), checksummed, and the run succeeds', async () => {
    const r = await bash('cat r.fq | $TF run wf.yaml --input reads=/dev/stdin --json --no-cache', services);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { status: string }).status).toBe('succeeded');
    const coordination = await EtcdCoordination.connect({ endpoints: etcdEndpoints, namespace, log: pino({ level: 'silent' }) });
    try {
      const docs = (await coordination.list<UploadDoc>('uploads/ann/')).map(([, d]) => d);
      expect(docs.find((d) => d.fileName === 'stdin')).toMatchObject({ status: 'successful', size: 16, declaredSize: 16, format: 'fastq', detected: 'fastq' });
      expect(docs.find((d) => d.fileName === 'stdin')?.sha256).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await coordination.close();
    }
  });

  it('a pipe of another format is refused (exit 2)', async () => {
    const r = await bash('$TF run wf.yaml --input reads=<(cat ref.fa)', services);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("expected fastq: the first record must start with '@', found '>chr1' (FASTA?) (inputs.reads declares format: fastq)");
  });

  it('serve and run with a malformed upload setting exit 2 at once, opening nothing (no subscription warnings)', async () => {
    const settings: Record<string, string>[] = [{ TOOLFLOW_UPLOAD_LIMIT: 'lots' }, { TOOLFLOW_UPLOAD_EXPIRE_SECONDS: '-5' }, { TOOLFLOW_UPLOAD_PART_BYTES: '1M' }];
    for (const setting of settings) {
      const serve = await toolflow(['serve', '--port', '8812'], { ...services, ...setting }, 60_000);
      expect([serve.code, serve.stderr.split('\n').length], serve.stderr).toEqual([2, 2]);
      const run = await toolflow(['run', join(dir, 'wf4.yaml'), '--input', `reads=${join(dir, 'r.fq')}`], { ...services, ...setting }, 60_000);
      expect(run.code).toBe(2);
      expect(run.stderr).not.toContain('RabbitMQ subscription setup failed');
      expect(run.stderr.startsWith(`toolflow: ${Object.keys(setting)[0]}: `)).toBe(true);
    }
  });
});
