// Helpers of the upload and embedded-input benchmarks (bench/uploads.mjs, bench/embedded-input.mjs):
// a large file that does not compress, the `--gib` flag, and what Linux's /proc says of a process
// (peak resident memory, bytes read).
import { createCipheriv, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/**
 * Writes `bytes` bytes to `path` (created or truncated): an AES-256-CTR key stream under a random
 * key, i.e. a random block counter-encrypted: as fast to make as the disk takes it (GB/s with AES-NI)
 * and as incompressible as random bytes (no repeated block for a long-window compressor to find).
 * @returns {number} the time it took, ms (not part of any figure).
 */
export function writeBigFile(path, bytes) {
  const t0 = performance.now();
  const cipher = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
  const zeros = Buffer.alloc(8 * MiB);
  const fd = openSync(path, 'w');
  try {
    for (let left = bytes; left > 0; ) {
      const block = cipher.update(left >= zeros.length ? zeros : zeros.subarray(0, left));
      for (let off = 0; off < block.length; ) off += writeSync(fd, block, off);
      left -= block.length;
    }
  } finally {
    closeSync(fd);
  }
  return performance.now() - t0;
}

/**
 * The benchmarks' flags: `--gib N` (file size in GiB, default 1; fractions allowed, e.g. 0.25) and
 * `--only PART` (one part of a benchmark that has several; undefined: all), `--label TEXT` (a note
 * for the tables' titles, e.g. `before`).
 * @throws Error for an unknown flag or a size that is not a positive number.
 */
export function benchFlags(argv = process.argv.slice(2)) {
  const { values } = parseArgs({ args: argv, options: { gib: { type: 'string', default: process.env.BENCH_UPLOAD_GIB ?? '1' }, only: { type: 'string' }, label: { type: 'string' } } });
  const gib = Number(values.gib);
  if (!(gib > 0)) throw new Error(`--gib ${values.gib}: give the file size in GiB, a positive number (e.g. --gib 4)`);
  return { gib, bytes: Math.round(gib * GiB), only: values.only, label: values.label };
}

/** A field of /proc/<pid>/status in MB (a `kB` field such as VmHWM, VmRSS), or null (no such process, no /proc). */
export function statusMB(pid, field) {
  try {
    const kb = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * CPU time a process has used so far, user + system, seconds (/proc/<pid>/stat, clock ticks of
 * 1/100 s, Linux's USER_HZ), or null (no such process, no /proc).
 */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * This process's I/O counters (/proc/self/io): `rchar`, bytes read by read-like system calls, its
 * own and those of every child it has waited for (Linux adds a reaped child's counters to its
 * parent's), so the difference around a spawnSync is what the child and its descendants read.
 * @returns {{ rchar: number, readBytes: number } | null} null where there is no /proc/self/io.
 */
export function ioCounters() {
  try {
    const text = readFileSync('/proc/self/io', 'utf8');
    const field = (name) => Number(new RegExp(`^${name}: (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    return { rchar: field('rchar'), readBytes: field('read_bytes') };
  } catch {
    return null;
  }
}

/** Throughput in MB/s (10^6 bytes per second) of `bytes` moved in `ms` milliseconds. */
export const mbPerS = (bytes, ms) => bytes / 1e6 / (ms / 1000);
/** Median of at least one number. */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** A size for people: "1 GiB", "1.50 GiB", "256 MiB", "12 KiB", "0 B". */
export function size(bytes) {
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(bytes % GiB ? 2 : 0)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(0)} MiB`;
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(0)} KiB` : `${bytes} B`;
}
