/**
 * What a file's first bytes look like, and whether they fit the format an input declares
 * (`format: fastq|fasta|gzip|bam|text` in the workflow, issue 11). Only the first SNIFF_BYTES are
 * looked at: an upload checks them as they arrive, `toolflow run` reads no more of a local file.
 *
 * Rules, and where they come from:
 * - gzip: RFC 1952 (magic `1f 8b`, method 8 = deflate; header fields FEXTRA, FNAME, FCOMMENT, FHCRC).
 *   The first member is inflated (zlib, raw deflate, sync flush: a stream cut at SNIFF_BYTES is
 *   fine) to look inside; at most INFLATE_LIMIT bytes come out, whatever the ratio.
 * - bam: the SAM/BAM specification (samtools.github.io/hts-specs, SAMv1 §4): BGZF, i.e. gzip
 *   members with an extra subfield `BC` (SI1 66, SI2 67, SLEN 2), whose data starts `BAM\1`.
 *   BAM is gzip-compatible (zcat reads it), so a BAM fits `format: gzip`.
 * - fastq: records of `@name`, sequence line(s), `+[name]`, quality line(s) as long as the
 *   sequence (ASCII 33–126), as kseq/seqtk read them (multi-line records allowed); plain or gzip.
 * - fasta: `>name` lines, each followed by sequence lines (letters, `*`, `-`, `.`); plain or gzip.
 * - text: UTF-8 (WHATWG decoder, fatal) without NUL; a multi-byte character cut at the window's end is fine.
 * FASTQ and FASTA are text too. An empty file fits no declared format (the message says it is empty).
 */
import { open } from 'node:fs/promises';
import { constants, inflateRawSync } from 'node:zlib';
import type { FileFormat } from './upload-doc.js';

/** How many first bytes of a file are looked at (64 KiB: one BGZF block at most). */
export const SNIFF_BYTES = 65536;
/** Most bytes inflated from a gzip member to look inside it. */
const INFLATE_LIMIT = 256 * 1024;

/** What a file looks like. */
export type SniffedFormat = 'fastq' | 'fasta' | 'gzip' | 'bam' | 'text' | 'binary' | 'empty';

/** What `sniffFormat` found. */
export interface Sniffed {
  /** fastq/fasta also when gzip-compressed (then `gzipped`); `gzip`: gzip data that is neither. */
  format: SniffedFormat;
  /** True for gzip data (bam included: BGZF is gzip). */
  gzipped?: boolean;
  /** For people: what it is, with its first bytes shown safely ("FASTA (starts '>chr1')", "binary data (bytes 00 61 73 6d …)"). */
  description: string;
  /** gzip data that does not inflate, or whose header is cut short: why (zlib's words). */
  damaged?: string;
}

/** Known binary formats by their first bytes, for descriptions. */
const MAGIC: [bytes: number[], name: string][] = [
  [[0x43, 0x52, 0x41, 0x4d], 'CRAM'],
  [[0x42, 0x5a, 0x68], 'bzip2'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'zstd'],
  [[0x50, 0x4b, 0x03, 0x04], 'zip'],
  [[0x89, 0x48, 0x44, 0x46], 'HDF5'],
  [[0x25, 0x50, 0x44, 0x46], 'PDF'],
  [[0x7f, 0x45, 0x4c, 0x46], 'ELF'],
];

/** The first bytes in hex: `1f 8b 08 04 …`. */
export function shownBytes(b: Buffer, n = 8): string {
  const hex = [...b.subarray(0, n)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
  return b.length > n ? `${hex} …` : hex;
}

/**
 * Text for a message, safe to print: quoted, cut to `n` characters, with every character outside
 * printable ASCII escaped (`\t`, `\n`, `\u202e`…), so no control, bidi or look-alike character reaches a terminal.
 */
export function shownText(s: string, n = 24): string {
  const chars: string[] = [];
  for (const c of s) if (chars.push(c) > n) break; // n + 1 at most: a window can be 64 KiB long
  const escaped = chars.slice(0, n).map((c) => {
    if (c === '\t') return '\\t';
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\\' || c === "'") return `\\${c}`;
    const cp = c.codePointAt(0)!;
    if (cp >= 0x20 && cp < 0x7f) return c;
    return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
  });
  return `'${escaped.join('')}${chars.length > n ? '…' : ''}'`;
}

/** A parsed gzip header (RFC 1952 §2.3): where the deflate data starts, and whether it is BGZF. */
function gzipHeader(b: Buffer): { start: number; bgzf: boolean } | { problem: string } {
  if (b.length < 10) return { problem: 'the gzip header is cut short' };
  if (b[2] !== 8) return { problem: `compression method ${b[2]} is not deflate (8)` };
  const flags = b[3]!;
  let at = 10;
  let bgzf = false;
  if (flags & 4) {
    if (b.length < at + 2) return { problem: 'the gzip header is cut short' };
    const xlen = b.readUInt16LE(at);
    at += 2;
    const end = at + xlen;
    if (b.length < end) return { problem: 'the gzip header is cut short' };
    for (let k = at; k + 4 <= end; ) {
      const len = b.readUInt16LE(k + 2);
      if (b[k] === 66 && b[k + 1] === 67 && len === 2) bgzf = true;
      k += 4 + len;
    }
    at = end;
  }
  for (const flag of [8, 16]) {
    if (!(flags & flag)) continue;
    const nul = b.indexOf(0, at);
    if (nul < 0) return { problem: 'the gzip header is cut short' };
    at = nul + 1;
  }
  if (flags & 2) at += 2;
  return { start: at, bgzf };
}

/**
 * Inflates the start of the first gzip member's deflate data: at most INFLATE_LIMIT bytes out
 * (less input is tried when the whole window would inflate to more: a highly compressed file).
 */
function inflateStart(deflate: Buffer): Buffer {
  for (let len = deflate.length; ; len = Math.floor(len / 2)) {
    try {
      return inflateRawSync(deflate.subarray(0, len), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: INFLATE_LIMIT });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE' || len <= 1) throw err;
    }
  }
}

/** `first` as text: the string, or why it is not text (a NUL, bytes that are not UTF-8). */
function asText(first: Buffer): { text: string } | { problem: string } {
  const nul = first.indexOf(0);
  if (nul >= 0) return { problem: `a NUL byte at offset ${nul}` };
  // stream: true keeps a multi-byte character cut at the end of the window back instead of failing.
  const decode = (b: Buffer) => new TextDecoder('utf-8', { fatal: true }).decode(b, { stream: true });
  try {
    return { text: decode(first) };
  } catch {
    // The longest prefix that decodes (a prefix of a valid prefix is valid): the bad byte follows it.
    let lo = 0;
    let hi = first.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      try {
        decode(first.subarray(0, mid));
        lo = mid;
      } catch {
        hi = mid;
      }
    }
    // An incomplete sequence before the bad byte starts the bad bytes: back up to its lead byte.
    for (let k = lo - 1; k >= Math.max(0, lo - 3); k--) {
      const x = first[k]!;
      if (x < 0x80) break;
      if (x >= 0xc0) {
        if (k + (x >= 0xf0 ? 4 : x >= 0xe0 ? 3 : 2) > lo) lo = k;
        break;
      }
    }
    return { problem: `bytes that are not UTF-8 at offset ${lo} (${shownBytes(first.subarray(lo), 4)})` };
  }
}

/** Lines of a text window; the last one may be cut (`cut`: the window did not end with a newline). */
function linesOf(text: string): { lines: string[]; cut: boolean } {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const cut = lines[lines.length - 1] !== '';
  if (!cut) lines.pop();
  return { lines, cut };
}

const SEQUENCE = /^[A-Za-z*.-]*$/;
const QUALITY = /^[!-~]*$/;
/** SAM header lines start with one of these record types (SAMv1 §1.3). */
const SAM_HEADER = /^@(HD|SQ|RG|PG|CO)\t/;

/** Why a text window is not FASTQ (the first problem, with its 1-based line), or undefined when it is. */
function fastqProblem(text: string): string | undefined {
  const { lines, cut } = linesOf(text);
  const n = lines.length;
  const blank = (k: number) => lines[k]!.trim() === '';
  let i = 0;
  while (i < n && blank(i)) i++;
  if (i === n) return 'no record, only blank lines';
  const first = lines[i]!;
  if (!first.startsWith('@')) return `the first record must start with '@', found ${shownText(first, 12)}${first.startsWith('>') ? ' (FASTA?)' : ''}`;
  if (SAM_HEADER.test(first)) return `the first line is a SAM header line, ${shownText(first, 12)} (SAM?)`;
  for (;;) {
    while (i < n && blank(i)) i++;
    if (i === n) return undefined;
    if (!lines[i]!.startsWith('@')) return `line ${i + 1} must start a record with '@', found ${shownText(lines[i]!, 12)}`;
    let seq = 0;
    const seqAt = i + 1;
    for (i++; i < n && !lines[i]!.startsWith('+'); i++) {
      if (!SEQUENCE.test(lines[i]!)) return `line ${i + 1} must be a sequence (letters) or the '+' line, found ${shownText(lines[i]!, 12)}`;
      seq += lines[i]!.length;
    }
    if (i === n) return undefined; // the window ends inside the sequence
    const oneLine = i === seqAt + 1; // the usual four-line record: its qualities are one line too
    let qual = 0;
    for (i++; i < n && qual < seq; i++) {
      if (!QUALITY.test(lines[i]!)) return `line ${i + 1} must be qualities (ASCII 33-126), found ${shownText(lines[i]!, 12)}`;
      qual += lines[i]!.length;
      if (cut && i === n - 1) return undefined; // a cut line is only the start of itself
      if (oneLine && qual !== seq) return `line ${i + 1} has ${qual} qualities, line ${seqAt + 1} has ${seq} bases; they must be as many`;
    }
    if (qual !== seq && !(qual < seq && i === n)) return `the record ending on line ${i} has ${seq} bases and ${qual} qualities; they must be as many`;
  }
}

/** Why a text window is not FASTA (the first problem, with its 1-based line), or undefined when it is. */
function fastaProblem(text: string): string | undefined {
  const { lines } = linesOf(text);
  let i = 0;
  while (i < lines.length && (lines[i]!.trim() === '' || lines[i]!.startsWith(';'))) i++;
  if (i === lines.length) return 'no record, only blank lines';
  if (!lines[i]!.startsWith('>')) return `the first record must start with '>', found ${shownText(lines[i]!, 12)}${SAM_HEADER.test(lines[i]!) ? ' (SAM?)' : lines[i]!.startsWith('@') ? ' (FASTQ?)' : ''}`;
  for (i++; i < lines.length; i++) {
    const line = lines[i]!.trimEnd();
    if (!line.startsWith('>') && !SEQUENCE.test(line)) return `line ${i + 1} must be a sequence (letters, '*', '-') or a '>' header, found ${shownText(line, 12)}`;
  }
  return undefined;
}

/** What a text window is; `raw`: the gzip data it was inflated from (shown in hex), when it was. */
function sniffText(text: string, raw?: { bytes: Buffer; bgzf: boolean }): Sniffed {
  const gz = raw ? { gzipped: true as const } : {};
  const packed = raw ? `${raw.bgzf ? 'BGZF' : 'gzip'}-compressed ` : '';
  const starts = raw ? `bytes ${shownBytes(raw.bytes)}; inflated, it starts ${shownText(text)}` : `starts ${shownText(text)}`;
  if (text.length === 0) return raw ? { format: 'gzip', ...gz, description: `${packed}empty data (bytes ${shownBytes(raw.bytes)})` } : { format: 'empty', description: 'an empty file (0 bytes)' };
  if (!fastqProblem(text)) return { format: 'fastq', ...gz, description: `${packed}FASTQ (${starts})` };
  if (!fastaProblem(text)) return { format: 'fasta', ...gz, description: `${packed}FASTA (${starts})` };
  const kind = SAM_HEADER.test(text) ? 'SAM text' : 'text';
  return { format: raw ? 'gzip' : 'text', ...gz, description: `${packed}${kind} (${starts})` };
}

/** What binary data is, by its first bytes. */
function binaryDescription(b: Buffer, why: string, bytes = 'bytes'): string {
  const known = MAGIC.find(([m]) => m.every((x, k) => b[k] === x));
  if (known) return `${known[1]} data (${bytes} ${shownBytes(b)})`;
  if (b.subarray(0, 4).equals(Buffer.from('BCF\x02', 'latin1'))) return `BCF data (${bytes} ${shownBytes(b)})`;
  return `binary data: ${why} (${bytes} ${shownBytes(b)})`;
}

/**
 * What a file looks like, from its first bytes.
 * @param first up to the first SNIFF_BYTES of the file (more are ignored), the whole file when shorter.
 * @returns the format (see `Sniffed`): `empty` for no bytes; gzip data is looked inside (its first
 *   member inflated): `bam` (BGZF starting `BAM\1`), `fastq`/`fasta` with `gzipped`, else `gzip`
 *   (`damaged` when it does not inflate); plain bytes are `fastq`, `fasta`, `text` or `binary`.
 * @throws nothing.
 */
export function sniffFormat(first: Buffer): Sniffed {
  const b = first.subarray(0, SNIFF_BYTES);
  if (b.length === 0) return { format: 'empty', description: 'an empty file (0 bytes)' };
  if (b[0] === 0x1f && b[1] === 0x8b) {
    const header = gzipHeader(b);
    if ('problem' in header) return { format: 'gzip', gzipped: true, damaged: header.problem, description: `gzip data whose header cannot be read: ${header.problem} (bytes ${shownBytes(b)})` };
    let inner: Buffer;
    try {
      inner = inflateStart(b.subarray(header.start));
    } catch (err) {
      const why = (err as Error).message;
      return { format: 'gzip', gzipped: true, damaged: why, description: `gzip data that does not inflate: ${why} (bytes ${shownBytes(b)})` };
    }
    if (header.bgzf && inner.subarray(0, 4).equals(Buffer.from('BAM\x01', 'latin1'))) return { format: 'bam', gzipped: true, description: `BAM (BGZF data starting BAM\\1; bytes ${shownBytes(b)})` };
    const text = asText(inner.subarray(0, SNIFF_BYTES));
    const packed = header.bgzf ? 'BGZF' : 'gzip';
    if ('problem' in text) return { format: 'gzip', gzipped: true, description: `${packed}-compressed ${binaryDescription(inner, text.problem, `bytes ${shownBytes(b, 4)}; inflated`)}` };
    return sniffText(text.text, { bytes: b, bgzf: header.bgzf });
  }
  const text = asText(b);
  if ('problem' in text) return { format: 'binary', description: binaryDescription(b, text.problem) };
  return sniffText(text.text);
}

/** The value `UploadDoc.detected` holds for a sniff: its format, `.gz` added for gzip-compressed FASTQ/FASTA (`fastq.gz`). */
export function detectedName(s: Sniffed): string {
  return (s.format === 'fastq' || s.format === 'fasta') && s.gzipped ? `${s.format}.gz` : s.format;
}

/** `detectedName` of a file's first bytes: what an upload records in `UploadDoc.detected`. */
export function detectedOf(first: Buffer): string {
  return detectedName(sniffFormat(first));
}

/** Detected names (`detectedName`) each declared format takes. */
const FITS: Record<FileFormat, readonly string[]> = {
  fastq: ['fastq', 'fastq.gz'],
  fasta: ['fasta', 'fasta.gz'],
  bam: ['bam'],
  gzip: ['gzip', 'fastq.gz', 'fasta.gz', 'bam'],
  text: ['text', 'fastq', 'fasta'],
};

/** What each declared format is, for messages. */
const EXPECTED: Record<FileFormat, string> = {
  fastq: 'FASTQ, plain or gzip-compressed',
  fasta: 'FASTA, plain or gzip-compressed',
  bam: 'BGZF-compressed data starting BAM\\1',
  gzip: 'gzip data, starting 1f 8b',
  text: 'UTF-8 text without NUL bytes',
};

/** Words for a detected name (`detectedName`), for messages: `fasta.gz` → `gzip-compressed FASTA`. */
export function detectedWords(detected: string): string {
  const words: Record<string, string> = {
    fastq: 'FASTQ', fasta: 'FASTA', 'fastq.gz': 'gzip-compressed FASTQ', 'fasta.gz': 'gzip-compressed FASTA',
    bam: 'BAM', gzip: 'gzip data', text: 'text', binary: 'binary data', empty: 'an empty file',
  };
  return words[detected] ?? `${shownText(detected)} (not a format toolflow knows)`;
}

/**
 * Whether a recorded detected format (`UploadDoc.detected`, see `detectedName`) fits a declared
 * one, by the same rules as `checkFormat`. @returns the message (`expected fastq, found FASTA`), or undefined when it fits.
 */
export function checkDetected(declared: FileFormat, detected: string): string | undefined {
  if (FITS[declared].includes(detected)) return undefined;
  return `expected ${declared} (${EXPECTED[declared]}), found ${detectedWords(detected)}`;
}

/**
 * Checks a file's first bytes against its declared format (see the module's rules).
 * @param first up to the first SNIFF_BYTES of the file (the whole file when shorter).
 * @returns the message, saying what was expected and what was found with the first bytes shown
 *   safely ("expected fastq: the first record must start with '@', found '>chr1' (FASTA?)"), or
 *   undefined when the bytes fit.
 * @throws nothing.
 */
export function checkFormat(declared: FileFormat, first: Buffer): string | undefined {
  const s = sniffFormat(first);
  const expected = `expected ${declared} (${EXPECTED[declared]})`;
  if (s.damaged) return declared === 'text' ? `${expected}, found ${s.description}` : `expected ${declared}: ${s.description}`;
  if (FITS[declared].includes(detectedName(s))) return undefined;
  if ((declared === 'fastq' || declared === 'fasta') && s.format !== 'bam' && s.format !== 'binary' && s.format !== 'empty') {
    const inner = s.gzipped ? innerText(first) : first.subarray(0, SNIFF_BYTES).toString('utf8');
    const why = inner ? (declared === 'fastq' ? fastqProblem(inner) : fastaProblem(inner)) : undefined;
    if (why) return `expected ${declared}${s.gzipped ? ' (inside the gzip data)' : ''}: ${why}`;
  }
  if (declared === 'bam' && s.gzipped) {
    const how = s.description.startsWith('BGZF') ? 'the BGZF data does not start with BAM\\1' : 'BAM is BGZF (gzip blocks with a BC extra field), and this is plain gzip';
    return `expected bam: ${how}; found ${s.description}`;
  }
  const convert = declared === 'bam' && /^(SAM text|CRAM)/.test(s.description) ? '; convert it with samtools view -b' : '';
  return `${expected}, found ${s.description}${convert}`;
}

/** The text inside gzip data (the start of its first member), or undefined when it is not text. */
function innerText(first: Buffer): string | undefined {
  const b = first.subarray(0, SNIFF_BYTES);
  const header = gzipHeader(b);
  if ('problem' in header) return undefined;
  const text = asText(inflateStart(b.subarray(header.start)).subarray(0, SNIFF_BYTES));
  return 'text' in text ? text.text : undefined;
}

/**
 * Reads the first bytes of a local file: at most `n` (default SNIFF_BYTES), fewer when it is shorter.
 * @throws the file system's error (ENOENT, EACCES, EISDIR…).
 */
export async function readFirstBytes(path: string, n = SNIFF_BYTES): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    let got = 0;
    while (got < n) {
      const { bytesRead } = await handle.read(buf, got, n - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await handle.close();
  }
}

/**
 * `checkFormat` on a local file's first SNIFF_BYTES (no more is read).
 * @returns the message, or undefined when the file fits. @throws the file system's error.
 */
export async function checkFileFormat(declared: FileFormat, path: string): Promise<string | undefined> {
  return checkFormat(declared, await readFirstBytes(path));
}
