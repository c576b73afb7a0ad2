/**
 * Safe names and shown names of uploads (issue 11, "Safe name"): every name a client may send
 * becomes one that stays in its folder, shows no control, bidi or look-alike character, fits 255
 * UTF-8 bytes, and keeps its extension; `shownName` escapes what a terminal or a reader would be
 * fooled by.
 */
import { describe, expect, it } from 'vitest';
import { safeFileName } from '../../shared/objects/object-store.js';
import { FALLBACK_NAME, jsonSafe, MAX_NAME_BYTES, safeUploadName, shownName } from '../../shared/uploads/upload-names.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** What every safe name is, whatever it came from. */
function expectSafe(name: string): void {
  expect(name.length).toBeGreaterThan(0);
  expect(bytes(name)).toBeLessThanOrEqual(MAX_NAME_BYTES);
  expect(name).not.toMatch(/[/\\\0]/);
  expect(name).not.toMatch(/\.\./);
  expect(name.startsWith('.')).toBe(false);
  // eslint-disable-next-line no-control-regex
  expect(name).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2024-\u2026\uff0e]/);
  // Valid UTF-8: no lone surrogate (it would come back as U+FFFD).
  expect(Buffer.from(name, 'utf8').toString('utf8')).toBe(name);
  expect(safeUploadName(name)).toBe(name);
}

describe('safeUploadName', () => {
  it.each([
    // path syntax
    ['..', FALLBACK_NAME],
    ['.', FALLBACK_NAME],
    ['...', FALLBACK_NAME],
    ['', FALLBACK_NAME],
    ['../../etc/passwd', 'passwd'],
    ['/etc/passwd', 'passwd'],
    ['a/b', 'b'],
    ['a\\b', 'b'],
    ['C:\\Users\\ann\\reads.fq', 'reads.fq'],
    ['dir/', FALLBACK_NAME],
    ['a/..', FALLBACK_NAME],
    ['a..b.fq', 'a_b.fq'],
    ['reads.fq..', 'reads.fq_'],
    ['.bashrc', 'bashrc'],
    ['..hidden', '_hidden'],
    ['. .x', 'x'],
    // control characters
    ['a\0b.txt', 'a_b.txt'],
    ['\0', FALLBACK_NAME],
    ['a\nb.txt', 'a_b.txt'],
    ['line\r\n.txt', 'line__.txt'],
    ['\u001b[31mred\u001b[0m.txt', '_[31mred_[0m.txt'],
    ['\u001b]0;pwned\u0007x', '_]0;pwned_x'],
    ['del\u007f.txt', 'del_.txt'],
    ['c1\u009b31m.txt', 'c1_31m.txt'],
    // look-alikes of `.` and `/`
    ['\u2024\u2024/x', 'x'],
    ['\u2024\u2024', FALLBACK_NAME],
    ['a\u2024\u2024b', 'a__b'],
    ['\u2025passwd', '_passwd'],
    ['x\u2026y', 'x_y'],
    ['\uff0e\uff0e\uff0fetc\uff0fpasswd', '___etc_passwd'],
    ['a\u2215b', 'a_b'],
    // bidi and invisible characters
    ['evil\u202Eexe.fq', 'evil_exe.fq'],
    ['\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069', FALLBACK_NAME],
    ['a\u200eb\u200fc\u061cd', 'a_b_c_d'],
    ['zero\u200bwidth', 'zero_width'],
    ['\ufeffbom.txt', '_bom.txt'],
    ['a\u2028b\u2029c', 'a_b_c'],
    ['lone\ud800surrogate', 'lone_surrogate'],
    // spaces
    ['   ', FALLBACK_NAME],
    ['  reads.fq  ', 'reads.fq'],
    ['my reads.fq', 'my reads.fq'],
    // the client's own underscores, and names that are fine
    ['_', '_'],
    ['__init__.py', '__init__.py'],
    ['reads_1.fastq.gz', 'reads_1.fastq.gz'],
    ['échantillon 1.fq', 'échantillon 1.fq'],
    ['試料.bam', '試料.bam'],
    ['🧬.fa', '🧬.fa'],
  ])('makes %j %j', (name, safe) => {
    const got = safeUploadName(name);
    expect(got).toBe(safe);
    expectSafe(got);
  });

  it('cuts a 300-byte ASCII name to 255 bytes, keeping its extension', () => {
    const name = `${'a'.repeat(291)}.fastq.gz`;
    expect(bytes(name)).toBe(300);
    const got = safeUploadName(name);
    expect(got).toBe(`${'a'.repeat(255 - 9)}.fastq.gz`);
    expectSafe(got);
  });

  it.each([
    ['é (2 bytes)', 'é', 150, '.fq', 126],
    ['漢 (3 bytes)', '漢', 100, '.fastq.gz', 82],
    ['🧬 (4 bytes, a surrogate pair)', '🧬', 75, '.txt', 62],
  ])('cuts a 300-byte name of %s on a code point boundary, keeping its extension', (_what, ch, n, ext, keptChars) => {
    const name = ch.repeat(n) + ext;
    expect(bytes(name)).toBeGreaterThanOrEqual(300);
    const got = safeUploadName(name);
    expect(got).toBe(ch.repeat(keptChars) + ext);
    expect(bytes(got)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(bytes(got)).toBeGreaterThan(MAX_NAME_BYTES - bytes(ch));
    expectSafe(got);
  });

  it('cuts a long name with no extension (or an overlong one) to 255 bytes', () => {
    expect(safeUploadName('x'.repeat(300))).toBe('x'.repeat(255));
    const longExt = `a.${'b'.repeat(300)}`;
    expect(safeUploadName(longExt)).toBe(longExt.slice(0, 255));
    expectSafe(safeUploadName(`${'é'.repeat(300)}`));
  });

  it('never leaves ".." where the cut meets the extension, nor trailing spaces', () => {
    // The base may keep 255 - 3 = 252 bytes: the cut falls right after a dot, and the extension's own dot follows.
    const dotAtCut = `${'a'.repeat(251)}.${'b'.repeat(40)}.fq`;
    const got = safeUploadName(dotAtCut);
    expect(got).toBe(`${'a'.repeat(251)}.fq`);
    expectSafe(got);
    const spaceAtCut = `${'a'.repeat(249)}   ${'b'.repeat(40)}.fq`;
    expect(safeUploadName(spaceAtCut)).toBe(`${'a'.repeat(249)}.fq`);
  });

  it('keeps only replacements, cut, when a long name is made of refused characters and a letter past the limit', () => {
    const got = safeUploadName(`${'\0'.repeat(300)}x`);
    expect(got).toBe('_'.repeat(255));
    expectSafe(got);
  });

  it('is the rule safeFileName applies (one rule for keys and staged inputs)', () => {
    for (const name of ['../../etc/passwd', 'evil\u202Eexe.fq', '\u2024\u2024/x', '..', `${'a'.repeat(300)}.fq`]) expect(safeFileName(name)).toBe(safeUploadName(name));
  });

  it('gives a safe, stable name for every character of the BMP around the refused ranges', () => {
    const ranges: [number, number][] = [[0, 0x2ff], [0x600, 0x61f], [0x2000, 0x206f], [0x2200, 0x221f], [0xfe00, 0xffff]];
    for (const [from, to] of ranges) {
      for (let c = from; c <= to; c++) {
        const ch = String.fromCharCode(c);
        expectSafe(safeUploadName(`a${ch}b.txt`));
        expectSafe(safeUploadName(ch));
      }
    }
  });
});

describe('shownName', () => {
  it.each([
    ['reads.fq', 'reads.fq'],
    ['échantillon 試料 🧬.fq', 'échantillon 試料 🧬.fq'],
    ['evil\u202Eexe.fq', 'evil\\u202eexe.fq'],
    ['\u2066x\u2069', '\\u2066x\\u2069'],
    ['a\nb\tc\rd', 'a\\nb\\tc\\rd'],
    ['\u001b[31mred', '\\u001b[31mred'],
    ['\0', '\\u0000'],
    ['del\u007f c1\u009b', 'del\\u007f c1\\u009b'],
    ['\u2024\u2024/x', '\\u2024\\u2024/x'],
    ['\u2025\u2026\uff0e', '\\u2025\\u2026\\uff0e'],
    ['a\u200bb\ufeff', 'a\\u200bb\\ufeff'],
    ['lone\ud800', 'lone\\ud800'],
    ['tag\u{e0041}', 'tag\\udb40\\udc41'],
    ['quote"back\\slash', 'quote\\"back\\\\slash'],
  ])('shows %j as %j', (name, shown) => {
    expect(shownName(name)).toBe(shown);
  });

  it('shows every name with no control, bidi or look-alike character left, and reads back as the name (JSON string escapes)', () => {
    const names = ['evil\u202Eexe.fq', '\u001b[2J\u001b[H', 'a\u2024\u2024b', '"\\\n', 'x\u2028y', 'ok.fq'];
    for (const name of names) {
      const shown = shownName(name);
      // eslint-disable-next-line no-control-regex
      expect(shown).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\u2024-\u2026\uff0e]/);
      expect(JSON.parse(`"${shown}"`)).toBe(name);
    }
  });
});

describe('jsonSafe', () => {
  it('escapes bidi, invisible and look-alike characters in a JSON text, which still parses to the same value', () => {
    const value = { originalName: 'evil\u202Eexe.fq', other: 'a\u2024\u2024b\u0085\u{e0041}', plain: 'échantillon 🧬 "q"' };
    const text = jsonSafe(JSON.stringify(value));
    expect(text).toBe('{"originalName":"evil\\u202eexe.fq","other":"a\\u2024\\u2024b\\u0085\\udb40\\udc41","plain":"échantillon 🧬 \\"q\\""}');
    expect(JSON.parse(text)).toEqual(value);
  });
});
