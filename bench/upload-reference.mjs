#!/usr/bin/env node
// The references of bench/uploads.mjs, each in a process of its own (so its memory is its own):
//
//   node bench/upload-reference.mjs s3 FILE BUCKET KEY
//     a direct @aws-sdk/lib-storage Upload of FILE (createReadStream, parts of 8 MiB, 4 in flight,
//     as shared/objects/s3-object-store.ts uploads) to BENCH_S3_ENDPOINT (path style, region
//     us-east-1, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY); prints one JSON line
//     {"ms": <Upload.done() time>, "cpuS": <its CPU time, user + system, s>, "hwmMB": <its peak RSS>}
//     on stdout.
//   node bench/upload-reference.mjs sink
//     an HTTP server on 127.0.0.1 that reads every request body and throws it away, then answers
//     204 with `Body-Bytes: N`; prints {"port": P} on stdout once listening; runs until SIGTERM.
//     What moving bytes over loopback HTTP between two node processes costs: the uploads' floor.
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { MiB, statusMB } from './big-file.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const [mode, ...args] = process.argv.slice(2);

if (mode === 's3') {
  const [file, bucket, key] = args;
  const client = new S3Client({ endpoint: process.env.BENCH_S3_ENDPOINT, region: 'us-east-1', forcePathStyle: true });
  const t0 = performance.now();
  await new Upload({ client, params: { Bucket: bucket, Key: key, Body: createReadStream(file) }, partSize: 8 * MiB, queueSize: 4, leavePartsOnError: false }).done();
  const ms = performance.now() - t0;
  client.destroy();
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ ms, cpuS: (cpu.user + cpu.system) / 1e6, hwmMB: statusMB(process.pid, 'VmHWM') }));
} else if (mode === 'sink') {
  const server = createServer((req, res) => {
    let n = 0;
    req.on('data', (d) => (n += d.length));
    req.on('end', () => res.writeHead(204, { 'body-bytes': String(n) }).end());
  });
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  console.error('usage: upload-reference.mjs s3 FILE BUCKET KEY | sink');
  process.exit(2);
}
