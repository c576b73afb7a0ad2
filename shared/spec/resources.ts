/**
 * Resource quantities: cpu in millicores, memory and disk in bytes, time limits in seconds.
 *
 * Units follow Kubernetes' resource quantities
 * (https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/):
 * `K`/`k`, `M`, `G`, `T` are powers of 1000 and `Ki`, `Mi`, `Gi`, `Ti` powers of 1024, so a value
 * means the same on the local executor and in a Pod's `resources.limits`.
 */

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  K: 1e3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

const BYTES_RE = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|k|M|G|T)?$/;
const CPU_RE = /^(\d+(?:\.\d+)?)(m)?$/;

/**
 * Parses a memory or disk quantity into bytes.
 * @param value a number of bytes (`1048576`) or a string with an optional unit (`512Mi`, `4G`, `1.5Gi`).
 * @returns whole bytes (fractions round down), always > 0.
 * @throws Error with a message naming the accepted forms for `4GG`, `-1`, `1.5.2`, `?`, `0`, `''`.
 */
export function parseBytes(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') throw new Error(`expected a size such as 512Mi or 4G, got ${describe(value)}`);
  const m = BYTES_RE.exec(text.trim());
  if (!m) {
    throw new Error(
      `"${text}" is not a size: write a number with an optional unit K, M, G, T (powers of 1000) or Ki, Mi, Gi, Ti (powers of 1024), such as 512Mi or 4G`,
    );
  }
  const bytes = Math.floor(Number(m[1]) * BYTE_UNITS[m[2] ?? '']!);
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) throw new Error(`"${text}" must be more than 0 bytes and less than 8 PiB`);
  return bytes;
}

/**
 * Parses a cpu quantity into millicores.
 * @param value cores as a number (`2`, `0.5`) or a string (`"0.5"`, `"500m"` = 500 millicores).
 * @returns millicores (fractions of a millicore round up), always >= 1.
 * @throws Error for anything else (`-1`, `two`, `?`, `0`).
 */
export function parseCpu(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') throw new Error(`expected cpu cores such as 2, 0.5 or 500m, got ${describe(value)}`);
  const m = CPU_RE.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a cpu amount: write cores (2, 0.5) or millicores (500m)`);
  const millicores = m[2] ? Math.ceil(Number(m[1])) : Math.ceil(Number(m[1]) * 1000);
  if (!(millicores > 0)) throw new Error(`cpu "${text}" must be more than 0`);
  return millicores;
}

/**
 * Formats bytes in the unit family the number was most likely written in: decimal (`60M`, `8G`) when
 * it is a whole number of such units, binary otherwise (`8Gi`, `1.5Gi`).
 */
export function formatBytes(bytes: number): string {
  const decimal: [string, number][] = [['T', 1e12], ['G', 1e9], ['M', 1e6], ['K', 1e3]];
  for (const [unit, size] of decimal) if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  const binary: [string, number][] = [['Ti', 1024 ** 4], ['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]];
  for (const [unit, size] of binary) {
    if (bytes >= size) {
      const v = bytes / size;
      return `${Number.isInteger(v) ? v : v.toFixed(1)}${unit}`;
    }
  }
  return `${bytes}B`;
}

/** Formats millicores as cores when whole (`2000` → `2`) and as millicores otherwise (`500m`). */
export function formatCpu(millicores: number): string {
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

const DURATION_UNITS: [string, number][] = [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]];
const PLAIN_SECONDS_RE = /^\d+(?:\.\d+)?$/;
// Units in falling order, each at most once, optionally separated by spaces: 1d, 2h, 1h30m, 1h 30m 10s, 1.5h.
const DURATION_RE = /^(?:(\d+(?:\.\d+)?)d)?\s*(?:(\d+(?:\.\d+)?)h)?\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s)?$/;

/**
 * Parses a time limit into seconds.
 *
 * Forms, after Nextflow's `time` (`2h`, `1h 30m`, `1d`) and Slurm's `--time` unit letters: a number of
 * seconds (`3600`, or the YAML number 3600), or numbers with the units `d`, `h`, `m`, `s` in that order,
 * each at most once, optionally separated by spaces (`90s`, `30m`, `2h`, `1d`, `1h30m`, `1.5h`).
 * Unlike Slurm, a bare number is seconds, not minutes. A plain number with a leading zero (`010`) is
 * refused, as everywhere in toolflow (YAML 1.1 reads it as octal).
 * @param value a number of seconds or a string in one of the forms above.
 * @returns whole seconds (a fraction rounds up), always >= 1.
 * @throws Error saying it must be more than 0 for `0`, `-1`, `-1h`, and naming the accepted forms for
 *   `lots`, `1x`, `30m1h`, `''`, or a value that is not a number or a string.
 */
export function parseDuration(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string') throw new Error(`expected a time such as 3600, 30m, 2h or 1h30m, got ${describe(value)}`);
  const trimmed = text.trim();
  let seconds: number;
  if (/^0\d+(?:\.\d+)?$/.test(trimmed)) {
    throw new Error(`"${text}" has a leading zero, which YAML 1.1 reads as octal; write it without the leading zero`);
  }
  if (/^-/.test(trimmed) && (PLAIN_SECONDS_RE.test(trimmed.slice(1)) || DURATION_RE.test(trimmed.slice(1)))) {
    throw new Error(`time "${text}" must be more than 0 seconds`);
  }
  if (PLAIN_SECONDS_RE.test(trimmed)) seconds = Number(trimmed);
  else {
    const m = trimmed === '' ? null : DURATION_RE.exec(trimmed);
    if (!m) {
      throw new Error(`"${text}" is not a time: write seconds (3600) or numbers with the units d, h, m, s in that order (90s, 30m, 2h, 1d, 1h30m)`);
    }
    seconds = DURATION_UNITS.reduce((sum, [, size], k) => sum + (m[k + 1] === undefined ? 0 : Number(m[k + 1]) * size), 0);
  }
  const whole = Math.ceil(seconds);
  if (!(whole > 0)) throw new Error(`time "${text}" must be more than 0 seconds`);
  if (!Number.isSafeInteger(whole)) throw new Error(`time "${text}" is too large`);
  return whole;
}

/** Formats seconds with the units of `parseDuration`: `5400` → `1h30m`, `604800` → `7d`, `45` → `45s`. */
export function formatSeconds(seconds: number): string {
  let rest = seconds;
  let out = '';
  for (const [unit, size] of DURATION_UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out || '0s';
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'a mapping' : JSON.stringify(value);
}
