#!/usr/bin/env node
// Upload benchmark (issue 11; part of `npm run bench`, or alone: `node bench/uploads.mjs [--gib N]
// [--only s3|embedded]` after `npm run build`), all in this one run on this machine:
//
// 1. A generated file of N GiB (default 1; bench/big-file.mjs: random, incompressible; the time to
//    write it is not counted), warm in the page cache.
// 2. S3 (a real S3-compatible server on loopback, bench/s3-server.mjs `startS3`: Ceph radosgw from
//    scripts/s3-server/start-rgw.sh; s3rver when radosgw cannot run, for the reference only):
//    - reference: a direct @aws-sdk/lib-storage Upload of the file (createReadStream, 8 MiB parts,
//      4 in flight), in a process of its own (bench/upload-reference.mjs);
//    - subject: the same file through toolflow's upload function process (`node
//      dist/functions/upload/index.js`, of-watchdog HTTP mode; SQLite store for its token, etcd for
//      the upload documents, the same S3 server), sent by tus-js-client from this process as one
//      PATCH of the whole file (declaring its SHA-256, so the function checks every byte);
//    - throughput ratio = subject MB/s / reference MB/s (target ≥ 0.9), BENCH_UPLOAD_REPEAT rounds
//      (default 3, reference and subject interleaved), medians;
//    - CPU time (user + system) of the uploading process: the reference's, the function's;
//    - peak RSS of the function's process (VmHWM, target ≤ 150 MB, and the same at `--gib 4` as at 1);
//    - resumed upload: the tus upload aborted at half (`upload.abort()`), resumed after
//      BENCH_RESUME_DELAY_MS (default 1000), and the UploadPart requests the server received for
//      the object (radosgw's request log) against the parts the finished object has: "parts sent
//      again" (target ≤ 1);
//    - the floor: the same file PUT over loopback HTTP to a node process that throws the body away
//      (what moving the bytes between two node processes costs), and `cat FILE > /dev/null`.
// 3. Embedded mode (bench/embedded-input.mjs): `toolflow run` of `wc -c "$TF_INPUT_data"` on the
//    same file, against `wc -c FILE` directly.
// Env: BENCH_UPLOAD_GIB (the default of --gib), BENCH_S3=s3rver (the fallback, forced),
// BENCH_TUS_PATH (the tus endpoint on the function's port, default /), BENCH_UPLOAD_FUNCTION (the
// function's entry point, default dist/functions/upload/index.js), BENCH_FUNCTION_NODE_ARGS (node
// flags of the function only, space-separated, e.g. `--cpu-prof --cpu-prof-dir=DIR`);
// BENCH_UPLOADS=0 (in bench/run.mjs) skips all of it. radosgw's in-memory store is raised to
// 2 × the file + 2 GiB (RAM is used only for what is stored; each upload is deleted after it).
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectsCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import * as tus from 'tus-js-client';
import { benchFlags, cpuSeconds, GiB, mbPerS, median, size, statusMB, writeBigFile } from './big-file.mjs';
import { measureEmbeddedInput } from './embedded-input.mjs';
import { embeddedEnv, freePort, runProcess, startEtcd } from './http-support.mjs';
import { startS3 } from './s3-server.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'toolflow.js');
/** The upload function's entry point (BENCH_UPLOAD_FUNCTION: another build's, to compare). */
const uploadFunction = process.env.BENCH_UPLOAD_FUNCTION ? resolve(process.env.BENCH_UPLOAD_FUNCTION) : join(root, 'dist', 'functions', 'upload', 'index.js');
const scripts = join(root, 'scripts', 's3-server');
const repeat = Number(process.env.BENCH_UPLOAD_REPEAT ?? 3);
const resumeDelayMs = Number(process.env.BENCH_RESUME_DELAY_MS ?? 1000);
/** Path of the tus endpoint on the upload function's port. */
const TUS_PATH = process.env.BENCH_TUS_PATH ?? '/';
const OWNER = 'bench';
const TARGET = { ratio: 0.9, rssMB: 150, partsAgain: 1 };
const tag = randomBytes(3).toString('hex');
const bucket = `toolflow-bench-${tag}`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** What an interrupted run must still stop, synchronously (child processes, radosgw's daemons). */
const onInterrupt = new Set();

/** The parts of a finished multipart object (its ETag's `-N`), 1 for a single-part one. */
async function partsOf(s3, key) {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  return { bytes: head.ContentLength, parts: Number(/-(\d+)"?$/.exec(head.ETag ?? '')?.[1] ?? 1) };
}

/** Deletes every object of the bucket and has the server free their space. */
async function emptyBucket(s3, server) {
  for (;;) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    if (!listed.Contents?.length) break;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: listed.Contents.map((o) => ({ Key: o.Key })) } }));
  }
  await server.collectGarbage();
}

/** One direct lib-storage upload in its own process. @returns {Promise<{ ms: number, cpuS: number, hwmMB: number }>} its time, CPU time (s) and peak RSS (MB). */
async function referenceUpload(file, key, server) {
  const env = { ...process.env, BENCH_S3_ENDPOINT: server.endpoint, AWS_ACCESS_KEY_ID: server.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey };
  const r = await runProcess([join(root, 'bench', 'upload-reference.mjs'), 's3', file, bucket, key], env);
  return JSON.parse(r.stdout);
}

/** The file PUT over loopback to a node process that discards it. @returns ms from the request to its answer. */
async function sinkUpload(file, bytes) {
  const child = spawn(process.execPath, [join(root, 'bench', 'upload-reference.mjs'), 'sink'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const { port } = JSON.parse(await new Promise((res) => child.stdout.once('data', (d) => res(String(d)))));
    const t0 = performance.now();
    const answered = new Promise((res, rej) => {
      const req = request({ host: '127.0.0.1', port, method: 'PUT', headers: { 'content-length': bytes } }, (r) => (r.resume(), res(r)));
      req.once('error', rej);
      pipeline(createReadStream(file), req).catch(rej);
    });
    const res = await answered;
    const ms = performance.now() - t0;
    if (Number(res.headers['body-bytes']) !== bytes) throw new Error(`bench: the sink got ${res.headers['body-bytes']} bytes of ${bytes}`);
    return ms;
  } finally {
    child.kill('SIGTERM');
  }
}

/** `cat FILE > /dev/null`, ms. */
async function catFile(file) {
  const t0 = performance.now();
  await new Promise((res, rej) => spawn('cat', [file], { stdio: ['ignore', 'ignore', 'inherit'] }).once('exit', (code) => (code === 0 ? res() : rej(new Error(`cat exited ${code}`)))));
  return performance.now() - t0;
}

/**
 * Starts the upload function (`node dist/functions/upload/index.js`) on a free port with the S3
 * server, etcd and an SQLite store in `home`, and makes a token of OWNER there.
 * @returns {Promise<{ url: string, pid: number, token: string, stderr: () => string, stop: () => Promise<void> }>}
 * @throws when it exits or is not ready within 30 s, with its stderr.
 */
async function startUploadFunction(server, etcd, home) {
  const env = embeddedEnv({
    TOOLFLOW_HOME: home,
    TOOLFLOW_LOG_LEVEL: 'warn',
    TOOLFLOW_NAMESPACE: `benchup${tag}`,
    TOOLFLOW_S3_BUCKET: bucket,
    TOOLFLOW_S3_ENDPOINT: server.endpoint,
    TOOLFLOW_S3_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    ...(etcd ? { TOOLFLOW_ETCD_ENDPOINTS: etcd.endpoint } : {}),
  });
  const token = (await runProcess([bin, 'token', 'create', '--owner', OWNER], env)).stdout.trim();
  const port = await freePort();
  const nodeArgs = (process.env.BENCH_FUNCTION_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, uploadFunction], { env: { ...env, http_port: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-8000)));
  const exited = new Promise((r) => child.once('exit', r));
  const kill = () => child.kill('SIGKILL');
  onInterrupt.add(kill);
  void exited.then(() => onInterrupt.delete(kill));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    if (!(await Promise.race([exited.then(() => true), sleep(20_000)]))) child.kill('SIGKILL');
  };
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`bench: the upload function exited with ${child.exitCode}: ${err}`);
    if (i > 600) {
      await stop();
      throw new Error(`bench: the upload function did not get ready in 30 s: ${err}`);
    }
    if (await fetch(`${url}/health/readiness`).then((r) => r.status === 200, () => false)) break;
    await sleep(50);
  }
  return { url, pid: child.pid, token, stderr: () => err, stop };
}

/**
 * One tus upload of `file` by tus-js-client (one PATCH of the whole file, no automatic retry).
 * With `abortAt`, the upload is aborted once that many bytes were sent and started again (HEAD,
 * then PATCH from the server's offset) after `resumeDelayMs`.
 * @returns {Promise<{ ms: number, key: string, sentBeforeAbort: number, resumedAt: number | null }>}
 *   time from start to success; the object key (the upload URL's last three segments).
 * @throws the client's error (its response's status and body included by tus-js-client).
 */
function tusUpload(file, bytes, sha256, fn, { abortAt } = {}) {
  return new Promise((resolveUpload, reject) => {
    let sentBeforeAbort = 0;
    let resumedAt = null;
    const t0 = performance.now();
    const upload = new tus.Upload(createReadStream(file), {
      endpoint: new URL(TUS_PATH, fn.url).href,
      uploadSize: bytes,
      retryDelays: null,
      headers: { authorization: `Bearer ${fn.token}` },
      metadata: { filename: 'data.bin', sha256 },
      onProgress(sent) {
        if (abortAt === undefined || sentBeforeAbort || sent < abortAt) return;
        sentBeforeAbort = sent;
        void upload.abort().then(async () => {
          await sleep(resumeDelayMs);
          upload.options.onAfterResponse = (req, res) => {
            if (req.getMethod() === 'HEAD') resumedAt = Number(res.getHeader('Upload-Offset'));
          };
          upload.start();
        }, reject);
      },
      onSuccess() {
        const key = new URL(upload.url).pathname.split('/').slice(-3).map(decodeURIComponent).join('/');
        resolveUpload({ ms: performance.now() - t0, key, sentBeforeAbort, resumedAt });
      },
      onError: reject,
    });
    upload.start();
  });
}

/** SHA-256 of a file, hex. */
async function sha256Of(file) {
  const h = createHash('sha256');
  await pipeline(createReadStream(file), h);
  return h.digest('hex');
}

/** Part 2 (see the header). @returns the figures, printed as Markdown tables on stdout. */
async function measureS3(file, bytes, work) {
  const server = await startS3(2 * bytes + 2 * GiB, work, bucket);
  const s3 = new S3Client({ endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: server.credentials });
  let etcd = null;
  let fn = null;
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const floorMs = await sinkUpload(file, bytes);
    const catMs = await catFile(file);
    let subjectRuns = server.kind === 'radosgw';
    let sha256;
    if (subjectRuns) {
      sha256 = await sha256Of(file);
      etcd = await startEtcd();
      if (etcd) onInterrupt.add(etcd.stop);
      fn = await startUploadFunction(server, etcd, join(work, 'home'));
      await sleep(1000);
      fn.idleMB = statusMB(fn.pid, 'VmRSS');
      const tusVersion = await fetch(new URL(TUS_PATH, fn.url), { method: 'OPTIONS', headers: { authorization: `Bearer ${fn.token}` } }).then((r) => r.headers.get('tus-version'), () => null);
      if (!tusVersion) {
        subjectRuns = false;
        server.why = `the upload function answers no tus OPTIONS at ${TUS_PATH} (set BENCH_TUS_PATH)`;
        console.error(`bench: ${server.why}; reference only`);
      }
    }
    const ref = [];
    const sub = [];
    for (let i = 0; i < repeat; i++) {
      const r = await referenceUpload(file, `reference/${i}/data.bin`, server);
      ref.push({ ...r, ...(await partsOf(s3, `reference/${i}/data.bin`)) });
      await emptyBucket(s3, server);
      if (subjectRuns) {
        const cpu0 = cpuSeconds(fn.pid);
        const u = await tusUpload(file, bytes, sha256, fn);
        const cpuS = cpuSeconds(fn.pid) - cpu0;
        sub.push({ ...u, cpuS, ...(await partsOf(s3, u.key)), requests: server.partRequests(u.key) });
        await emptyBucket(s3, server);
      }
      console.error(`bench: uploads, round ${i + 1} of ${repeat} done`);
    }
    const hwmAfterUploads = subjectRuns ? statusMB(fn.pid, 'VmHWM') : null;
    let resumed = null;
    if (subjectRuns) {
      const u = await tusUpload(file, bytes, sha256, fn, { abortAt: Math.floor(bytes / 2) });
      await sleep(500); // radosgw writes its log lines a little after the answers
      resumed = { ...u, ...(await partsOf(s3, u.key)), requests: server.partRequests(u.key) };
      await emptyBucket(s3, server);
      console.error('bench: uploads, resumed upload done');
    }
    const f = {
      server: server.kind,
      why: server.why,
      floorMBs: mbPerS(bytes, floorMs),
      catMBs: mbPerS(bytes, catMs),
      reference: { ms: median(ref.map((r) => r.ms)), cpuS: median(ref.map((r) => r.cpuS)), hwmMB: Math.max(...ref.map((r) => r.hwmMB)), parts: ref[0].parts },
      subject: subjectRuns ? { ms: median(sub.map((r) => r.ms)), cpuS: median(sub.map((r) => r.cpuS)), hwmMB: hwmAfterUploads, parts: sub[0].parts, sent: sub[0].requests } : null,
      resumed,
      hwmAtEnd: subjectRuns ? statusMB(fn.pid, 'VmHWM') : null,
      idleMB: fn?.idleMB ?? null,
    };
    printS3(f, bytes);
    return f;
  } finally {
    await fn?.stop();
    etcd?.stop();
    await emptyBucket(s3, server).catch(() => undefined);
    await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    s3.destroy();
    await server.stop();
  }
}

function printS3(f, bytes) {
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const refMBs = mbPerS(bytes, f.reference.ms);
  const meets = (ok) => (ok ? 'yes' : '**no**');
  console.log(`\nUploads of a ${size(bytes)} file of random bytes to ${f.server === 'radosgw' ? 'Ceph radosgw (in-memory OSD)' : 's3rver'} on loopback, median of ${repeat} rounds (reference and toolflow interleaved):\n`);
  const cpu = (x) => `${x.toFixed(1)} s (${(x / (bytes / GiB)).toFixed(1)} s/GiB)`;
  console.log('| path | time | MB/s | × reference | parts | CPU of the uploading process | peak RSS of the uploading process |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  console.log(`| reference: @aws-sdk/lib-storage Upload (8 MiB parts, 4 in flight), own process | ${s(f.reference.ms)} | ${refMBs.toFixed(0)} | 1.00x | ${f.reference.parts} | ${cpu(f.reference.cpuS)} | ${f.reference.hwmMB.toFixed(0)} MB |`);
  if (f.subject) {
    const subMBs = mbPerS(bytes, f.subject.ms);
    console.log(`| toolflow: tus-js-client, one PATCH → upload function (tus, SHA-256, etcd docs) → S3 | ${s(f.subject.ms)} | ${subMBs.toFixed(0)} | ${(subMBs / refMBs).toFixed(2)}x | ${f.subject.parts} | ${cpu(f.subject.cpuS)} (the function) | ${f.subject.hwmMB.toFixed(0)} MB (the function) |`);
    console.log(`\nThroughput ratio ${(subMBs / refMBs).toFixed(2)} (target ≥ ${TARGET.ratio}: ${meets(subMBs / refMBs >= TARGET.ratio)}); the function's peak RSS ${f.subject.hwmMB.toFixed(0)} MB (target ≤ ${TARGET.rssMB} MB at any size: ${meets(f.subject.hwmMB <= TARGET.rssMB)}; compare the runs of --gib 1 and --gib 4); its RSS 1 s after start, before any upload: ${f.idleMB.toFixed(0)} MB.`);
    const r = f.resumed;
    const again = r.requests.ok - r.parts;
    console.log(`\nResumed upload: aborted after ${size(r.sentBeforeAbort)} sent, resumed ${resumeDelayMs} ms later from offset ${r.resumedAt === null ? '?' : size(r.resumedAt)} (client bytes sent again: ${r.resumedAt === null ? '?' : size(Math.max(0, r.sentBeforeAbort - r.resumedAt))}); ${r.requests.sent} UploadPart requests reached the server (${r.requests.ok} stored, ${r.requests.distinct} distinct part numbers) for a ${r.parts}-part object, and ${r.requests.incomplete} PUT(s) of an incomplete part (an interrupted PATCH's tail under S3's 5 MiB minimum, kept aside and sent again inside the next part): parts sent again = ${again} (target ≤ ${TARGET.partsAgain}: ${meets(again <= TARGET.partsAgain)}); whole resumed upload ${s(r.ms)}; the function's peak RSS at the end ${f.hwmAtEnd.toFixed(0)} MB.`);
  } else {
    console.log(`\n(toolflow's upload path was not measured: ${f.why}${f.server === 's3rver' ? '; its tus store needs ListParts, which s3rver lacks' : ''}.)`);
  }
  console.log(`\nFloor: the same file PUT over loopback HTTP to a node process that discards it: ${f.floorMBs.toFixed(0)} MB/s; \`cat FILE > /dev/null\`: ${f.catMBs.toFixed(0)} MB/s.`);
}

async function main() {
  const { bytes, only, label } = benchFlags();
  const work = mkdtempSync(join(tmpdir(), 'toolflow-bench-uploads-'));
  // radosgw's daemons outlive this process: stop them (and drop the file) when it is interrupted.
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      for (const stop of onInterrupt) stop();
      spawnSync('bash', [join(scripts, 'stop-rgw.sh'), join(work, 'rgw')], { stdio: 'ignore' });
      rmSync(work, { recursive: true, force: true });
      process.exit(130);
    });
  }
  try {
    if (!existsSync(uploadFunction)) throw new Error(`bench: ${uploadFunction} is missing: run npm run build first`);
    const file = join(work, 'data.bin');
    const genMs = writeBigFile(file, bytes);
    console.error(`bench: wrote ${size(bytes)} in ${(genMs / 1000).toFixed(1)} s (not counted)`);
    if (only === undefined || only === 's3') await measureS3(file, bytes, work);
    if (only === undefined || only === 'embedded') await measureEmbeddedInput({ file, bytes, work: mkdtempSync(join(work, 'embedded-')), label });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
