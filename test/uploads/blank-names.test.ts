// Names a new user found kept or printed raw (issue 11): blank-looking letters kept in safe names,
// and the helpers every message uses to show a user's name (`quotedName`, `shownText`).
import { describe, expect, it } from 'vitest';
import { jsonSafe, quotedName, safeUploadName, shownName, shownText } from '../../shared/uploads/upload-names.js';
import { ownerProblem } from '../../shared/api/owner-name.js';

describe('blank-looking characters', () => {
  it('U+FFA0, U+115F, U+1160, U+3164, U+2800 become _ in safe names, and a name of only them becomes file', () => {
    expect(safeUploadName('a\uFFA0b.fq')).toBe('a_b.fq');
    expect(safeUploadName('\u115F\u1160\u3164\u2800.fq')).toBe('____.fq');
    expect(safeUploadName('\uFFA0')).toBe('file');
    expect(safeUploadName('\u3164\u3164')).toBe('file');
  });

  it('they are escaped when shown, in text and in JSON', () => {
    expect(shownName('a\uFFA0b')).toBe('a\\uffa0b');
    expect(jsonSafe(JSON.stringify({ f: '\u2800x' }))).toBe('{"f":"\\u2800x"}');
  });
});

describe('showing names in messages', () => {
  it('quotedName quotes and escapes: ESC, newline, U+202E', () => {
    expect(quotedName('names/bad\u001b[31mRED\nline\u202ex.fq')).toBe('"names/bad\\u001b[31mRED\\nline\\u202ex.fq"');
  });

  it('shownText escapes control and bidi characters of a composed message, leaving quotes and backslashes (so text already shown stays as it is)', () => {
    const once = shownText('x "a\u001bb" \\ \u202e');
    expect(once).toBe('x "a\\u001bb" \\ \\u202e');
    expect(shownText(quotedName('p\u001b\u202e'))).toBe(quotedName('p\u001b\u202e'));
  });
});

describe('the owner rule', () => {
  it('takes letters, digits, . _ - @; refuses ., .., a leading _ or -, 129 characters, and shows the name escaped', () => {
    for (const ok of ['ann', 'x@lab.org', 'a@b', 'a.b_c-d', 'a'.repeat(128)]) expect(ownerProblem(ok), ok).toBeUndefined();
    for (const no of ['.', '..', '_tus', '-x', '', 'a/b', 'a'.repeat(129), 'a b']) expect(ownerProblem(no), no).toBeDefined();
    expect(ownerProblem('a\u001b[31mb')).toBe('"a\\u001b[31mb" is not an owner name: use letters, digits, ".", "_", "-" and "@", starting with a letter or digit, at most 128 characters');
  });
});
