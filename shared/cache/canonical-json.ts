/**
 * Canonical JSON for hashing: the same value always gives the same text. Object keys are sorted
 * (by UTF-16 code units, as `Array.prototype.sort` does), arrays keep their order, `undefined`
 * members are left out (as `JSON.stringify` does), and no whitespace is added. Numbers, strings,
 * booleans and null are written as `JSON.stringify` writes them.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';

/** A value canonical JSON can write. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };

/**
 * The canonical JSON text of `value`.
 * @throws TypeError for a number that JSON cannot hold (NaN, ±Infinity): two different values
 *   would otherwise both be written as `null`.
 */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`cannot hash the number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(',')}}`;
}

/** Node's one-shot `crypto.hash` (Node ≥ 21.7), about twice as fast as `createHash` for short texts; undefined before. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** Texts up to this many characters have their hash remembered (`MEMO_ENTRIES` of them at most). */
const MEMO_CHARS = 256;
const MEMO_ENTRIES = 4096;
/**
 * Hashes of short texts seen lately: the parts of most tools' keys are the same few texts (`{}`,
 * `[]`, `null`, an empty environment), so a chain of 200 tools hashes each of them once.
 */
const memo = new Map<string, string>();

/** SHA-256 (lowercase hex) of a text's UTF-8 bytes. */
export function sha256Hex(text: string): string {
  const short = text.length <= MEMO_CHARS;
  if (short) {
    const known = memo.get(text);
    if (known !== undefined) return known;
  }
  const hex = oneShot ? oneShot('sha256', text, 'hex') : createHash('sha256').update(text).digest('hex');
  if (short) {
    if (memo.size >= MEMO_ENTRIES) memo.clear();
    memo.set(text, hex);
  }
  return hex;
}

/** SHA-256 (lowercase hex) of `value`'s canonical JSON. @throws as `canonicalJson`. */
export function hashJson(value: Json): string {
  return sha256Hex(canonicalJson(value));
}
