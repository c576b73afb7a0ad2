/**
 * File names given by users (issue 11, "Safe name"): `safeUploadName` turns one into the name an
 * object key and a staged input file use; `shownName` escapes one for display (CLI, API error
 * messages, logs), so a name can neither move the terminal's cursor nor reorder the text around it.
 *
 * The characters refused are those the tools of the field refuse in upload names: path separators,
 * `..`, C0/C1 control characters (terminal escape sequences), Unicode format characters (bidi
 * overrides and isolates U+202A–U+202E, U+2066–U+2069, marks U+200E/U+200F/U+061C, zero-width
 * characters, BOM; CVE-2021-42574 "Trojan Source" shows the bidi trick), line and paragraph
 * separators, lone surrogates, and the look-alikes of `.` (U+2024 ONE DOT LEADER, U+2025 TWO DOT
 * LEADER, U+2026 HORIZONTAL ELLIPSIS, U+FF0E FULLWIDTH FULL STOP: `\u2024\u2024/` reads as `../`) and
 * of `/` and `\` (U+2044, U+2215, U+29F8, U+29F9, U+FF0F, U+FF3C).
 */

/** Longest safe name, UTF-8 bytes: the common file-system limit of one path component (ext4, XFS, APFS). */
export const MAX_NAME_BYTES = 255;

/** The name given to a file whose name keeps nothing once made safe. */
export const FALLBACK_NAME = 'file';

/** Look-alikes of `.`, `/` and `\`, which read as path syntax when shown. */
const LOOK_ALIKES = /[\u2024\u2025\u2026\uFF0E\u2044\u2215\u29F8\u29F9\uFF0F\uFF3C]/u;

/**
 * Letters and symbols that print as nothing (blank-looking): U+115F/U+1160 HANGUL CHOSEONG/JUNGSEONG
 * FILLER, U+3164 HANGUL FILLER, U+FFA0 HALFWIDTH HANGUL FILLER, U+2800 BRAILLE PATTERN BLANK, U+17B4/
 * U+17B5 KHMER VOWEL INHERENT AQ/AA. Unicode does not class them as format characters, yet a name
 * of them reads as empty (the confusables that Unicode TR39 and GitHub's "hidden characters"
 * warning flag).
 */
// An alternation, not a class: U+1160 and U+17B4/5 combine with what comes before them.
const BLANK_LOOKING = /(?:\u115F|\u1160|\u3164|\uFFA0|\u2800|\u17B4|\u17B5)/u;

/**
 * Characters no safe name keeps: control (Cc, C0 and C1 with DEL), format (Cf: bidi controls,
 * zero-width characters, BOM, tags), line and paragraph separators (Zl, Zp), lone surrogates (Cs),
 * the look-alikes and the blank-looking characters.
 */
const REFUSED = new RegExp(`[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\p{Cs}]|${LOOK_ALIKES.source}|${BLANK_LOOKING.source}`, 'u');

/** `REFUSED`, for every match. */
const REFUSED_ALL = new RegExp(REFUSED.source, 'gu');

/** An extension kept when a long name is cut: up to 3 parts (`.fastq.gz`, `.tar.gz`), each 1–16 letters or digits. */
const EXTENSION = /(?:\.[\p{L}\p{N}]{1,16}){1,3}$/u;

/** Longest extension kept whole when a name is cut, UTF-8 bytes. */
const MAX_EXTENSION_BYTES = 64;

/**
 * The last path component of `name`, `/` and `\` both separating (a Windows client's `C:\x\y.fq`
 * gives `y.fq`).
 */
function lastComponent(name: string): string {
  return name.split(/[\\/]/).pop() ?? '';
}

/** `text` cut to at most `maxBytes` UTF-8 bytes, on a code point boundary. */
function cutToBytes(text: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const cp of text) {
    const n = Buffer.byteLength(cp, 'utf8');
    if (bytes + n > maxBytes) break;
    bytes += n;
    out += cp;
  }
  return out;
}

/**
 * Makes a user's file name safe as an object key segment and as a file name in a folder:
 *
 * 1. only the last path component is kept (`/` and `\` both separate: `../../etc/passwd` → `passwd`);
 * 2. every refused character (see the module's doc: control, format/bidi, separators, lone
 *    surrogates, look-alikes of `.`, `/`, `\`) becomes `_`, and so does every run of two or more
 *    dots (`a..b` → `a_b`);
 * 3. leading dots and spaces, and trailing spaces, are stripped (no hidden files, no `.`/`..`);
 * 4. a name with no character of the client's own left but dots and spaces (empty, `.`, `...`,
 *    `\u0000`, `\u2024\u2024`, only bidi controls) becomes `file`;
 * 5. a name over 255 UTF-8 bytes is cut on a code point boundary, keeping its extension (up to
 *    three `.`-parts of letters and digits, 64 bytes at most: `.fastq.gz`).
 *
 * Idempotent (`safeUploadName(safeUploadName(x)) === safeUploadName(x)`), so a name read back from
 * a key may be passed through it again. Never throws.
 * @param name the name as the client gave it (any string, of any length).
 * @returns a non-empty name of at most 255 UTF-8 bytes, none of `/ \ NUL`, not `.` or `..`, not
 *   starting with `.`.
 */
export function safeUploadName(name: string): string {
  let kept = 0; // characters of the client's own that carry a name: not a dot, not a space
  let out = '';
  for (const ch of lastComponent(name)) {
    if (REFUSED.test(ch)) {
      out += '_';
    } else {
      out += ch;
      if (ch !== '.' && ch.trim() !== '') kept++;
    }
  }
  // `..` is never a name, nor part of one; leading dots hide a file; spaces at either end hide in listings.
  out = out
    .replace(/\.{2,}/g, '_')
    .replace(/^[.\s]+/, '')
    .trimEnd();
  if (kept === 0) return FALLBACK_NAME;
  if (Buffer.byteLength(out, 'utf8') <= MAX_NAME_BYTES) return out;
  const ext = EXTENSION.exec(out)?.[0] ?? '';
  const extension = ext !== out && Buffer.byteLength(ext, 'utf8') <= MAX_EXTENSION_BYTES ? ext : '';
  // A cut that ends on a dot would join the extension's dot into `..`; one that ends on spaces would hide them.
  const cut = cutToBytes(out.slice(0, out.length - extension.length), MAX_NAME_BYTES - Buffer.byteLength(extension, 'utf8')).replace(/[.\s]+$/, '');
  return cut + extension;
}

/** The JSON escape of one UTF-16 code unit, `\uXXXX` lowercase. */
function unitEscape(unit: number): string {
  return `\\u${unit.toString(16).padStart(4, '0')}`;
}

/**
 * A user's name as it may be shown (terminal, log line, error message): the inside of a JSON
 * string (`"` and `\` escaped, `\n`, `\t`… short forms, other control characters `\u001b`), with
 * every other refused character (format/bidi controls, separators, lone surrogates, look-alikes of
 * `.`, `/`, `\`; see the module's doc) escaped as `\uXXXX` too (astral ones as their surrogate
 * pair, as JSON writes them). Everything else (letters of any script, emoji) is shown as it is.
 * `shownName('evil\u202Eexe.fq')` is the text `evil\u202eexe.fq`.
 * @param name any string.
 * @returns printable text with no control, bidi or look-alike character in it.
 */
export function shownName(name: string): string {
  let out = '';
  for (const ch of name) {
    if (REFUSED.test(ch) && !/[\p{Cc}]/u.test(ch)) {
      for (let i = 0; i < ch.length; i++) out += unitEscape(ch.charCodeAt(i));
    } else {
      // JSON.stringify escapes `"`, `\`, C0 controls and lone surrogates; C1 controls and DEL it leaves, so they are escaped here.
      const json = JSON.stringify(ch).slice(1, -1);
      out += /[\u007f-\u009f]/.test(json) ? unitEscape(ch.charCodeAt(0)) : json;
    }
  }
  return out;
}

/**
 * A JSON text with every refused character in it (see the module's doc: format/bidi controls,
 * separators, C1 controls and DEL, look-alikes; JSON.stringify already escapes C0 controls and lone
 * surrogates) written as a `\uXXXX` escape: the same JSON value, whose bytes show no character a
 * terminal or a reader would be fooled by (`curl` of an upload named `evil\u202Eexe.fq`).
 * Valid because those characters can stand only inside strings of a JSON text.
 * @param json the output of JSON.stringify.
 */
export function jsonSafe(json: string): string {
  return json.replace(REFUSED_ALL, (ch) => [...Array(ch.length).keys()].map((i) => unitEscape(ch.charCodeAt(i))).join(''));
}

/**
 * `name` quoted for a message: `"` + `shownName(name)` + `"` (the form JSON.stringify gives, with
 * bidi, look-alike and C1 characters escaped too). Every user-given name, path or value a message
 * echoes goes through it (`"names/bad\u001b[31m.fq" does not exist or cannot be read`).
 */
export function quotedName(name: string): string {
  return `"${shownName(name)}"`;
}

/**
 * A composed message made safe for a terminal or a log line: every control character (`\n`, ESC…)
 * and every other refused character (bidi, format, separators, look-alikes; see the module's doc)
 * written as its JSON escape, the rest, `"` and `\` included, as it is. The last net under messages
 * whose parts may not all have been shown with `shownName` (a system error naming a path); text
 * already shown with `shownName` comes back unchanged.
 * @param text any string. @returns one line with no control, bidi or look-alike character.
 */
export function shownText(text: string): string {
  return text.replace(REFUSED_ALL, (ch) => {
    if (/^\p{Cc}$/u.test(ch) && ch < '\u007f') return JSON.stringify(ch).slice(1, -1);
    return [...Array(ch.length).keys()].map((i) => unitEscape(ch.charCodeAt(i))).join('');
  });
}
