/**
 * `toolflow upload` against a real API on loopback (`startApi`: the runtime, the store, the tus
 * endpoint `/v1/tus`), with the real tus protocol from the built CLI: two files uploaded and
 * checked through `GET /v1/uploads/{id}`; a big upload interrupted by SIGINT once the server holds
 * some of it, then resumed from the server's offset (fewer bytes cross the wire than the file
 * holds; the final SHA-256 is the file's); a file changed between the runs starts over; a wrong
 * token, an unreachable server, files that cannot be read and bad usage each say what is wrong.
 * Uploads that must be caught in flight go through a loopback proxy that slows the client's bytes.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileIdentity, listUploadStates, UploadState, uploadStateDir } from '../../shared/uploads/upload-state.js';
import { send, startApi, type TestApi } from '../support/api.js';
import { BIN, startToolflow, toolflow, until } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('toolflow-upload-cli-');
let api: TestApi;
let token: string;
let slow: ThrottlingProxy;

/** A TCP proxy that forwards the client's bytes at most `chunkBytes` every `everyMs` (when `throttled`), and counts them. */
interface ThrottlingProxy {
  url: string;
  throttled: boolean;
  /** Bytes forwarded from clients to the server since the last `reset`. */
  sent: number;
  reset(): void;
  /** Drops every open connection (a network that fails under the upload); new ones are taken. */
  drop(): void;
  close(): Promise<void>;
}

async function startThrottlingProxy(port: number, chunkBytes: number, everyMs: number): Promise<ThrottlingProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port });
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.pipe(client);
    const queue: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const pump = () => {
      timer = undefined;
      const head = queue.shift();
      if (!head) return client.resume();
      const part = proxy.throttled ? head.subarray(0, chunkBytes) : head;
      if (part.length < head.length) queue.unshift(head.subarray(part.length));
      proxy.sent += part.length;
      upstream.write(part);
      timer = setTimeout(pump, proxy.throttled ? everyMs : 0);
    };
    client.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      client.pause();
      if (!timer) pump();
    });
    client.on('close', () => timer && clearTimeout(timer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const proxy: ThrottlingProxy = {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    throttled: true,
    sent: 0,
    reset: () => void (proxy.sent = 0),
    drop() {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
  return proxy;
}

/** `n` bytes of a fixed pattern (not all one byte, so a wrong offset shows in the checksum). */
function pattern(n: number, seed = 0): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + (i >> 9) + seed) & 0xff;
  return b;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The environment of a CLI run: its own state folder, and no server, token or service from the test machine. */
function envFor(state: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    XDG_STATE_HOME: state,
    TOOLFLOW_HOME: join(state, 'home'),
    TOOLFLOW_SERVER: '',
    TOOLFLOW_TOKEN: '',
    TOOLFLOW_DATABASE_URL: '',
    TOOLFLOW_AMQP_URL: '',
    TOOLFLOW_ETCD_ENDPOINTS: '',
    TOOLFLOW_S3_BUCKET: '',
    TOOLFLOW_S3_ENDPOINT: '',
    ...extra,
  };
}

/** A fresh folder for one test's state. */
function stateHome(name: string): string {
  const d = join(dir, `state-${name}`);
  mkdirSync(d, { recursive: true });
  return d;
}

/** The upload ids of `<uploadId>\t<file>` lines. */
function idsOf(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n').filter(Boolean)) {
    const [id, file] = line.split('\t');
    out.set(file!, id!);
  }
  return out;
}

/** The server's offset of a tus upload (tus HEAD), sent to the API itself (not through a proxy). */
async function serverOffset(uploadUrl: string): Promise<number> {
  const u = new URL(uploadUrl);
  const r = await send(api.url, 'HEAD', u.pathname, { token, headers: { 'tus-resumable': '1.0.0' } });
  return r.status === 200 ? Number(r.headers['upload-offset']) : -r.status;
}

/** The one resume record in a state home, once it exists. */
async function resumeRecord(state: string) {
  const folder = join(state, 'toolflow', 'uploads');
  let found: Awaited<ReturnType<typeof listUploadStates>> = [];
  await until(() => {
    void listUploadStates(folder).then((l) => (found = l));
    return found.length > 0 && found[0]!.record !== undefined;
  }, 30_000, 'the resume state file');
  return found[0]!;
}

/**
 * Starts `toolflow upload FILE` through the slow proxy and SIGINTs it once the server holds more
 * than 0 bytes of it. @returns the run's exit code and stderr, and the state record.
 */
async function interrupted(file: string, state: string) {
  slow.throttled = true;
  const run = startToolflow(['upload', file, '--server', slow.url], envFor(state, { TOOLFLOW_TOKEN: token }));
  const rec = await resumeRecord(state);
  let offset = 0;
  await until(() => {
    void serverOffset(rec.record!.uploadUrl).then((o) => (offset = o));
    return offset > 0;
  }, 30_000, 'the server to hold some bytes');
  run.child.kill('SIGINT');
  const code = await run.exitCode;
  return { code, stderr: run.stderr(), stdout: run.stdout(), record: rec };
}

beforeAll(async () => {
  api = await startApi();
  token = await api.token('ann');
  slow = await startThrottlingProxy(Number(new URL(api.url).port), 64 * 1024, 20);
});
afterAll(async () => {
  await slow?.close();
  await api?.close();
});

describe('toolflow upload --server', () => {
  it('uploads two files over tus: one line <uploadId>\\t<file> each, and the server shows them successful with their size and SHA-256', async () => {
    const state = stateHome('two');
    const a = join(dir, 'reads.fastq');
    const b = join(dir, 'notes.txt');
    writeFileSync(a, '@r1\nACGT\n+\nIIII\n');
    writeFileSync(b, pattern(300_000));
    const r = await toolflow(['upload', a, b, '--server', api.url], envFor(state, { TOOLFLOW_TOKEN: token }));
    expect(r.stderr).not.toContain(token);
    expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
    const ids = idsOf(r.stdout);
    expect([...ids.keys()].sort()).toEqual([a, b].sort());
    for (const [file, id] of ids) {
      const got = await api.call('GET', `/v1/uploads/${id}`, { token });
      const body = readFileSync(file);
      expect(got.status).toBe(200);
      expect(got.json).toMatchObject({ uploadId: id, status: 'successful', size: body.length, sha256: sha256(body) });
    }
    // Nothing is left to resume.
    expect(await listUploadStates(join(state, 'toolflow', 'uploads'))).toEqual([]);
  });

  it('--json prints one array in the order given, with size, sha256 and status; --format goes with the upload', async () => {
    const state = stateHome('json');
    const a = join(dir, 'j1.fastq');
    const b = join(dir, 'j2.fastq');
    writeFileSync(a, '@r1\nAC\n+\nII\n');
    writeFileSync(b, '@r2\nGT\n+\nII\n');
    const r = await toolflow(['upload', b, a, '--server', api.url, '--format', 'fastq', '--json'], envFor(state, { TOOLFLOW_TOKEN: token }));
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { file: string; uploadId: string; size: number; sha256: string; status: string }[];
    expect(out.map((o) => [o.file, o.size, o.sha256, o.status])).toEqual([
      [b, readFileSync(b).length, sha256(readFileSync(b)), 'successful'],
      [a, readFileSync(a).length, sha256(readFileSync(a)), 'successful'],
    ]);
  });

  it('Ctrl-C stops a big upload without terminating it; the same command resumes it from the server\'s offset, sending fewer bytes than the file holds, and the SHA-256 is the file\'s', async () => {
    const state = stateHome('resume');
    const file = join(dir, 'big.bin');
    const body = pattern(24 * 1024 * 1024, 7);
    writeFileSync(file, body);
    const first = await interrupted(file, state);
    expect(first.code).toBe(130);
    expect(first.stderr).toContain(`interrupted: run the same command again to resume ${file}`);
    expect(first.stdout).toBe('');
    // The state file: 0600, the upload URL in it, never the token.
    expect(first.record.mode).toBe(0o600);
    const text = readFileSync(first.record.file, 'utf8');
    expect(text).not.toContain(token);
    expect(first.record.record!.file).toMatchObject({ path: file, size: body.length });
    expect(first.stderr).not.toContain(token);
    // The state folder is this user's only.
    expect(statSync(join(state, 'toolflow', 'uploads')).mode & 0o777).toBe(0o700);
    // The server kept what it had: the upload is still there, part way, ongoing (resumable, not failed).
    const held = await serverOffset(first.record.record!.uploadUrl);
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(body.length);
    const doc = await api.call('GET', `/v1/uploads/${first.record.record!.uploadUrl.split('/').at(-2)}`, { token });
    expect(doc.json).toMatchObject({ status: 'ongoing' });

    slow.throttled = false;
    slow.reset();
    const second = await toolflow(['upload', file, '--server', slow.url, '--json'], envFor(state, { TOOLFLOW_TOKEN: token }));
    expect(second.code).toBe(0);
    // It resumed where the server was (which may have stored a little more after the first measure).
    const resumed = new RegExp(`resuming ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} at (\\d+) of ${body.length} bytes`).exec(second.stderr);
    expect(resumed, second.stderr).not.toBeNull();
    const at = Number(resumed![1]);
    expect(at).toBeGreaterThanOrEqual(held);
    expect(at).toBeLessThan(body.length);
    // Only the rest crossed the wire (with the requests' headers).
    expect(slow.sent).toBeLessThan(body.length);
    expect(slow.sent).toBeGreaterThanOrEqual(body.length - at);
    const [out] = JSON.parse(second.stdout) as { uploadId: string; sha256: string; size: number; status: string }[];
    expect(out).toMatchObject({ status: 'successful', size: body.length, sha256: sha256(body) });
    const got = await api.call('GET', `/v1/uploads/${out!.uploadId}`, { token });
    expect(got.json).toMatchObject({ status: 'successful', size: body.length, sha256: sha256(body) });
    expect(await listUploadStates(join(state, 'toolflow', 'uploads'))).toEqual([]);
  });

  it('a connection lost under an upload is retried (after a delay) from the server\'s offset, in the same run', async () => {
    const state = stateHome('drop');
    const file = join(dir, 'dropped.bin');
    const body = pattern(12 * 1024 * 1024, 6);
    writeFileSync(file, body);
    slow.throttled = true;
    const run = startToolflow(['upload', file, '--server', slow.url, '--json'], envFor(state, { TOOLFLOW_TOKEN: token }));
    const rec = await resumeRecord(state);
    let offset = 0;
    await until(() => {
      void serverOffset(rec.record!.uploadUrl).then((o) => (offset = o));
      return offset > 0;
    }, 30_000, 'the server to hold some bytes');
    slow.drop();
    slow.throttled = false;
    expect(await run.exitCode).toBe(0);
    expect(run.stderr()).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: retrying at [1-9]\\d* of ${body.length} bytes`));
    const [out] = JSON.parse(run.stdout()) as { sha256: string; status: string }[];
    expect(out).toMatchObject({ status: 'successful', sha256: sha256(body) });
  });

  it('a file written while it is uploaded: exit 1, saying its upload may hold a mix', async () => {
    const state = stateHome('written');
    const file = join(dir, 'written.bin');
    // 64 MiB at the proxy's 3.2 MiB/s: ~20 s, so the append below comes while it is still being sent,
    // however slowly a busy machine runs this test (8 MiB, ~2.5 s, once finished first on CI).
    writeFileSync(file, pattern(64 * 1024 * 1024, 11));
    slow.throttled = true;
    const run = startToolflow(['upload', file, '--server', slow.url], envFor(state, { TOOLFLOW_TOKEN: token }));
    const rec = await resumeRecord(state);
    let offset = 0;
    await until(() => {
      void serverOffset(rec.record!.uploadUrl).then((o) => (offset = o));
      return offset > 0;
    }, 30_000, 'the server to hold some bytes');
    appendFileSync(file, 'more');
    slow.throttled = false;
    expect(await run.exitCode).toBe(1);
    expect(run.stderr()).toMatch(new RegExp(`toolflow: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: changed while it was uploaded: upload [0-9a-f-]{36} may hold a mix of old and new bytes`));
    expect(run.stdout()).toBe('');
  });

  it('resume state that cannot be kept: a state folder that cannot be made exits 2; a state file that cannot be written lets the upload go on, said', async () => {
    const file = join(dir, 'stateless.txt');
    writeFileSync(file, 'bytes');
    const notAFolder = join(dir, 'state-is-a-file');
    writeFileSync(notAFolder, '');
    const r = await toolflow(['upload', file, '--server', api.url], envFor(notAFolder, { TOOLFLOW_TOKEN: token }));
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining(`toolflow: the resume state folder ${join(notAFolder, 'toolflow', 'uploads')} cannot be made`)]);
    // A folder where the state file goes: the write fails, the upload does not.
    const state = stateHome('blocked');
    const blocked = new UploadState(uploadStateDir({ XDG_STATE_HOME: state }), `${api.url}/v1/tus`, await fileIdentity(file));
    mkdirSync(blocked.file, { recursive: true });
    const ok = await toolflow(['upload', file, '--server', api.url], envFor(state, { TOOLFLOW_TOKEN: token }));
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain(`${file}: its resume state cannot be written (`);
    expect(idsOf(ok.stdout).has(file)).toBe(true);
  });

  it('a file changed since its interrupted upload starts over (and the new bytes are what is stored)', async () => {
    const state = stateHome('changed');
    const file = join(dir, 'changing.bin');
    writeFileSync(file, pattern(16 * 1024 * 1024, 1));
    const first = await interrupted(file, state);
    expect(first.code).toBe(130);
    // Same size, other bytes, another mtime.
    const changed = pattern(16 * 1024 * 1024, 2);
    writeFileSync(file, changed);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    slow.throttled = false;
    const second = await toolflow(['upload', file, '--server', slow.url, '--json'], envFor(state, { TOOLFLOW_TOKEN: token }));
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`${file}: changed since its interrupted upload (it was modified): starting over`);
    expect(second.stderr).not.toContain('resuming');
    const [out] = JSON.parse(second.stdout) as { uploadId: string; sha256: string }[];
    expect(out!.sha256).toBe(sha256(changed));
    const oldId = first.record.record!.uploadUrl.split('/').at(-2)!;
    expect(out!.uploadId).not.toBe(oldId);
    // The old upload was let go at once (tus termination), not left to the sweeper.
    const old = await api.call('GET', `/v1/uploads/${oldId}`, { token });
    expect([old.status, old.json]).toEqual([200, expect.objectContaining({ status: 'failed' })]);
  });

  it('a wrong token: exit 1, "the server refused the token", and the token is in no output', async () => {
    const state = stateHome('wrong');
    const file = join(dir, 'w.txt');
    writeFileSync(file, 'x');
    const wrong = 'tf_' + 'a'.repeat(40);
    const r = await toolflow(['upload', file, '--server', api.url, '--token', wrong], envFor(state));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`toolflow: ${file}: the server refused the token (401)`);
    expect(r.stderr + r.stdout).not.toContain(wrong);
    expect(await listUploadStates(join(state, 'toolflow', 'uploads'))).toEqual([]);
  });

  it('the token goes to no other origin: neither where a server\'s Location points, nor where a tampered state file points', async () => {
    let elsewhere = 0;
    const other = createHttpServer((req, res) => {
      elsewhere++;
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
    const liar = createHttpServer((req, res) => {
      res.writeHead(201, { location: `${otherUrl}/v1/tus/ann/0b6f3a4e-5c1d-4b7e-9a2f-3c4d5e6f7a8b/x`, 'tus-resumable': '1.0.0' }).end();
    });
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
    const liarUrl = `http://127.0.0.1:${(liar.address() as { port: number }).port}`;
    try {
      const file = join(dir, 'origin.txt');
      writeFileSync(file, 'some bytes');
      const state = stateHome('origin');
      const r = await toolflow(['upload', file, '--server', liarUrl], envFor(state, { TOOLFLOW_TOKEN: token }));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`toolflow: ${file}: the server put the upload at another origin (${otherUrl}); the token is sent only to ${liarUrl}`);
      // A state file whose URL points elsewhere is not resumed from: the upload starts over at the server given.
      const endpoint = `${api.url}/v1/tus`;
      const tampered = new UploadState(uploadStateDir({ XDG_STATE_HOME: state }), endpoint, await fileIdentity(file));
      await tampered.addUpload(tampered.fingerprint, { size: 10, metadata: { filename: 'origin.txt' }, uploadUrl: `${otherUrl}/v1/tus/ann/0b6f3a4e-5c1d-4b7e-9a2f-3c4d5e6f7a8b/origin.txt` });
      const again = await toolflow(['upload', file, '--server', api.url], envFor(state, { TOOLFLOW_TOKEN: token }));
      expect(again.code).toBe(0);
      expect(again.stderr).not.toContain('resuming');
      expect(elsewhere).toBe(0);
    } finally {
      await new Promise((r) => other.close(r));
      await new Promise((r) => liar.close(r));
    }
  });

  it('an unreachable server: exit 1 at once, naming the server', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => resolve(port));
      });
    });
    const file = join(dir, 'u.txt');
    writeFileSync(file, 'x');
    const r = await toolflow(['upload', file, '--server', `http://127.0.0.1:${closed}`], envFor(stateHome('unreachable'), { TOOLFLOW_TOKEN: token }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`toolflow: ${file}: cannot reach the server http://127.0.0.1:${closed} (ECONNREFUSED)`);
  });

  it('a missing file, a directory and a file this user cannot read are each said by name; the other files are still uploaded (exit 1)', async () => {
    // As root, the CLI runs as nobody so that a mode 0000 file is unreadable to it.
    const shared = mkdtempSync(join(tmpdir(), 'toolflow-upload-perm-'));
    try {
      chmodSync(shared, 0o777);
      const good = join(shared, 'good.txt');
      const locked = join(shared, 'locked.txt');
      const folder = join(shared, 'folder');
      writeFileSync(good, 'fine');
      writeFileSync(locked, 'secret');
      chmodSync(good, 0o644);
      chmodSync(locked, 0o000);
      mkdirSync(folder);
      const missing = join(shared, 'missing.fastq');
      const state = join(shared, 'state');
      mkdirSync(state, { mode: 0o777 });
      chmodSync(state, 0o777);
      const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const child = spawn('node', [BIN, 'upload', missing, folder, locked, good, '--server', api.url], { env: { ...process.env, ...envFor(state, { TOOLFLOW_TOKEN: token }) }, ...asNobody, cwd: shared });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(stderr).toContain(`toolflow: ${missing}: no such file`);
      expect(stderr).toContain(`toolflow: ${folder}: is a directory, not a file`);
      expect(stderr).toContain(`toolflow: ${locked}: cannot be read (permission denied)`);
      expect(code).toBe(1);
      const ids = idsOf(stdout);
      expect([...ids.keys()]).toEqual([good]);
      const got = await api.call('GET', `/v1/uploads/${ids.get(good)}`, { token });
      expect(got.json).toMatchObject({ status: 'successful', size: 4 });
    } finally {
      rmSync(shared, { recursive: true, force: true });
    }
  });

  it('413 over the per-file limit, 413 over the quota, 422 a format that does not fit: each says the server\'s reason, the other files are still uploaded (exit 1)', async () => {
    const limited = await startApi({ uploadSettings: { maxFileBytes: 64 * 1024, quotaBytes: 100 * 1024 } });
    try {
      const bea = await limited.token('bea');
      const env = envFor(stateHome('limits'), { TOOLFLOW_TOKEN: bea });
      const big = join(dir, 'over-limit.bin');
      const fasta = join(dir, 'reads-really-fasta.fq');
      const ok = join(dir, 'fits.fastq');
      writeFileSync(big, pattern(65 * 1024));
      writeFileSync(fasta, '>chr1\nACGT\n');
      writeFileSync(ok, '@r1\nACGT\n+\nIIII\n');
      const r = await toolflow(['upload', big, fasta, ok, '--server', limited.url, '--format', 'fastq'], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`toolflow: ${big}: too large for the server (413): the upload is ${65 * 1024} bytes, more than the limit of ${64 * 1024} bytes`);
      expect(r.stderr).toContain(`toolflow: ${fasta}: the server refused its content (422): expected fastq: the first record must start with '@', found '>chr1' (FASTA?)`);
      expect([...idsOf(r.stdout).keys()]).toEqual([ok]);
      // The quota: 60 KiB files, the second passes 100 KiB.
      const q1 = join(dir, 'quota-1.bin');
      const q2 = join(dir, 'quota-2.bin');
      writeFileSync(q1, pattern(60 * 1024, 4));
      writeFileSync(q2, pattern(60 * 1024, 5));
      const first = await toolflow(['upload', q1, '--server', limited.url], env);
      expect(first.code).toBe(0);
      const second = await toolflow(['upload', q2, '--server', limited.url], env);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`toolflow: ${q2}: over your upload quota on the server (413): this upload of ${60 * 1024} bytes would pass your upload quota`);
    } finally {
      await limited.close();
    }
  });

  it('a name with control characters is shown escaped', async () => {
    const file = join(dir, 'evil\u001b[31m.txt');
    const r = await toolflow(['upload', file, '--server', api.url], envFor(stateHome('evil'), { TOOLFLOW_TOKEN: token }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`toolflow: ${dir}/evil\\u001b[31m.txt: no such file`);
    expect(r.stderr).not.toContain('\u001b');
  });

  it('bad usage exits 2: --server without a token, --token without a server, an unknown --format, a server URL holding a password', async () => {
    const file = join(dir, 'usage.txt');
    writeFileSync(file, 'x');
    const env = envFor(stateHome('usage'));
    const noToken = await toolflow(['upload', file, '--server', api.url], env);
    expect([noToken.code, noToken.stderr]).toEqual([2, expect.stringContaining('--server needs a bearer token')]);
    const noServer = await toolflow(['upload', file, '--token', 'tf_x'], env);
    expect([noServer.code, noServer.stderr]).toEqual([2, expect.stringContaining('--token is for uploads to a server')]);
    const format = await toolflow(['upload', file, '--format', 'docx'], env);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("argument 'docx' is invalid");
    const password = await toolflow(['upload', file, '--server', 'http://me:pw@127.0.0.1:1', '--token', 'tf_x'], env);
    expect([password.code, password.stderr]).toEqual([2, expect.stringContaining('holds a user name or password')]);
    expect(password.stderr).not.toContain(':pw@');
  });
});

describe('toolflow upload without --server', () => {
  it('uploads into the configured store (embedded): one line per file, --json with size and SHA-256', async () => {
    const state = stateHome('local');
    const a = join(dir, 'local-a.txt');
    const b = join(dir, 'local-b.bin');
    writeFileSync(a, 'hello\n');
    writeFileSync(b, pattern(2 * 1024 * 1024, 3));
    const text = await toolflow(['upload', a], envFor(state));
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^[0-9a-f-]{36}\\t${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n$`));
    const json = await toolflow(['upload', a, b, '--json'], envFor(state));
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout) as { file: string; uploadId: string; size: number; sha256: string; status: string }[];
    expect(out.map((o) => [o.file, o.size, o.sha256, o.status])).toEqual([
      [a, 6, sha256(readFileSync(a)), 'successful'],
      [b, 2 * 1024 * 1024, sha256(readFileSync(b)), 'successful'],
    ]);
    expect(out[0]!.uploadId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`, as a person at a terminal would): stdout
 * and stderr are the terminal. @returns the exit code and everything the terminal received.
 */
async function onTerminal(args: string[], env: Record<string, string>): Promise<{ code: number; screen: string }> {
  const command = ['node', BIN, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  try {
    const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...env, COLUMNS: '160' }, timeout: 120_000 });
    return { code: 0, screen: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, screen: e.stdout };
  }
}

describe('toolflow upload without --server: refusals', () => {
  it('--format that the first bytes do not fit: exit 1 with the reason, the other file uploaded', async () => {
    const state = stateHome('local-format');
    const fasta = join(dir, 'local-really-fasta.fq');
    const ok = join(dir, 'local-ok.fq');
    writeFileSync(fasta, '>chr1\nACGT\n');
    writeFileSync(ok, '@r1\nACGT\n+\nIIII\n');
    const r = await toolflow(['upload', fasta, ok, '--format', 'fastq'], envFor(state));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`toolflow: ${fasta}: expected fastq: the first record must start with '@', found '>chr1' (FASTA?)`);
    expect([...idsOf(r.stdout).keys()]).toEqual([ok]);
  });
});

describe('progress on a terminal', () => {
  it('toolflow upload draws a bar per file (bytes, rate, time left), then a line per finished file, and the ids', async () => {
    const state = stateHome('tty');
    const a = join(dir, 'tty-a.bin');
    const b = join(dir, 'tty-b.bin');
    writeFileSync(a, pattern(3 * 1024 * 1024, 8));
    writeFileSync(b, pattern(2 * 1024 * 1024, 9));
    slow.throttled = true;
    const r = await onTerminal(['upload', a, b, '--server', slow.url], envFor(state, { TOOLFLOW_TOKEN: token }));
    expect(r.code).toBe(0);
    // A bar: ` NAME |===---| 42% 1.2 MiB/3.0 MiB 1.1 MiB/s ETA 2s`.
    expect(r.screen).toMatch(/tty-a\.bin \|[=-]+\| +\d+% +[\d.]+ (B|KiB|MiB)\/3\.0 MiB +[\d.]+ (B|KiB|MiB)\/s ETA/);
    expect(r.screen).toMatch(/tty-b\.bin \|[=-]+\|/);
    expect(r.screen).toMatch(new RegExp(`uploaded ${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 3\\.0 MiB in`));
    expect(r.screen).toMatch(new RegExp(`[0-9a-f-]{36}\\t${b.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('toolflow run shows a bar (then a line) for an input file above 32 MiB while it is taken in, and none for a small one', async () => {
    const home = join(dir, 'run-tty-home');
    const wf = join(dir, 'run-tty.yaml');
    writeFileSync(wf, 'name: tty\ninputs:\n  big: {type: file}\n  small: {type: file}\ntools:\n  - {name: size, mem: 64Mi, cmds: [\'wc -c < "$TF_INPUT_big" > /dev/null\']}\n');
    const big = join(dir, 'run-big-input.bin');
    const small = join(dir, 'run-small-input.txt');
    writeFileSync(big, pattern(40 * 1024 * 1024, 10));
    writeFileSync(small, 'x');
    const r = await onTerminal(['run', wf, '--input', `big=${big}`, '--input', `small=${small}`], envFor(stateHome('run-tty'), { TOOLFLOW_HOME: home }));
    expect(r.code, r.screen).toBe(0);
    // Embedded mode takes inputs in place (no copy, a checksum read): the bar may go by before a frame is drawn; its line stays.
    expect(r.screen).toMatch(/input run-big-input\.bin: 40\.0 MiB in [\d.]+ s/);
    expect(r.screen).not.toContain('run-small-input.txt');
    expect(r.screen).toContain('(tty): succeeded');
  });
});

