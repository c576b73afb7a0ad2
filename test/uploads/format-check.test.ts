/**
 * Format checks on first bytes (issue 11, shared/uploads/format-check.ts), on real files: BAM made
 * by `samtools view -b`, BGZF-compressed FASTQ by `samtools fastq` and BGZF SAM by `samtools view
 * -O sam.gz` (htslib writes BGZF; Debian's tabix package, which has bgzip, is not installed), plain
 * gzip by `gzip -n` (no name or time in the header: stable bytes), xz/bzip2/zstd by their tools,
 * and hand-written FASTQ/FASTA. Each wrong pair is checked with its exact message.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkDetected, checkFileFormat, checkFormat, detectedOf, readFirstBytes, shownText, sniffFormat, SNIFF_BYTES } from '../../shared/uploads/format-check.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('toolflow-format-');
const at = (name: string) => join(dir, name);
const bytes = (name: string) => readFileSync(at(name));
const first = (name: string) => bytes(name).subarray(0, SNIFF_BYTES);
const run = (cmd: string, args: string[], input?: Buffer) => execFileSync(cmd, args, { cwd: dir, ...(input ? { input } : {}), stdio: ['pipe', 'pipe', 'pipe'] });

const FASTQ = '@r1 sample=A\nACGTN\n+\nIIIII\n@r2\nAC\n+r2\n#I\n';
const FASTA = '>chr1 desc\nACGT\nNNNN\n>chr2\nAC\n';
const SAM = '@SQ\tSN:c1\tLN:8\nr1\t0\tc1\t1\t60\t4M\t*\t0\t0\tACGT\tIIII\n';

/** A FASTQ of `n` 100-base reads, its bases and qualities from a fixed pseudo-random sequence. */
function bigFastq(n: number): string {
  let x = 12345;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let seq = '';
    let qual = '';
    for (let k = 0; k < 100; k++) {
      seq += 'ACGT'[next() % 4];
      qual += String.fromCharCode(33 + (next() % 41));
    }
    out.push(`@read${i}/1\n${seq}\n+\n${qual}\n`);
  }
  return out.join('');
}

beforeAll(() => {
  writeFileSync(at('a.fq'), FASTQ);
  writeFileSync(at('a.fa'), FASTA);
  writeFileSync(at('a.sam'), SAM);
  writeFileSync(at('empty'), '');
  writeFileSync(at('a.fq.gz'), run('gzip', ['-n', '-c', 'a.fq']));
  writeFileSync(at('a.fa.gz'), run('gzip', ['-n', '-c', 'a.fa']));
  run('samtools', ['view', '-b', '-o', 'a.bam', 'a.sam']);
  run('samtools', ['fastq', '-0', 'bgzf.fq.gz', 'a.bam']);
  run('samtools', ['view', '-h', '-O', 'sam.gz', '-o', 'bgzf.sam.gz', 'a.bam']);
  run('samtools', ['view', '-b', '-o', 'plain-gzip.bam.gz', 'a.sam']); // a name only: BAM too
  writeFileSync(at('a.txt.gz'), run('gzip', ['-n', '-c'], Buffer.from('hello\n')));
  writeFileSync(at('a.fq.xz'), run('xz', ['-c', 'a.fq']));
  writeFileSync(at('a.fq.bz2'), run('bzip2', ['-c', 'a.fq']));
  writeFileSync(at('a.fq.zst'), run('zstd', ['-q', '-c', 'a.fq']));
  writeFileSync(at('big.fq'), bigFastq(20_000)); // 2.3 MB: the window ends inside a record
  writeFileSync(at('big.fq.gz'), run('gzip', ['-n', '-c', 'big.fq']));
  writeFileSync(at('zeros.gz'), run('gzip', ['-n', '-c'], Buffer.alloc(50_000_000))); // ~1000:1
});

describe('sniffFormat', () => {
  it('tells FASTQ, FASTA, text and empty files apart, plain', () => {
    expect(sniffFormat(first('a.fq'))).toEqual({ format: 'fastq', description: "FASTQ (starts '@r1 sample=A\\nACGTN\\n+\\nIII…')" });
    expect(sniffFormat(first('a.fa'))).toEqual({ format: 'fasta', description: "FASTA (starts '>chr1 desc\\nACGT\\nNNNN\\n>ch…')" });
    expect(sniffFormat(first('a.sam'))).toEqual({ format: 'text', description: "SAM text (starts '@SQ\\tSN:c1\\tLN:8\\nr1\\t0\\tc1\\t1…')" });
    expect(sniffFormat(first('empty'))).toEqual({ format: 'empty', description: 'an empty file (0 bytes)' });
  });

  it('looks inside gzip and BGZF: FASTQ and FASTA stay themselves, gzipped; BAM is BGZF starting BAM\\1', () => {
    expect(sniffFormat(first('a.fq.gz'))).toEqual({ format: 'fastq', gzipped: true, description: "gzip-compressed FASTQ (bytes 1f 8b 08 00 00 00 00 00 …; inflated, it starts '@r1 sample=A\\nACGTN\\n+\\nIII…')" });
    expect(sniffFormat(first('a.fa.gz'))).toMatchObject({ format: 'fasta', gzipped: true });
    expect(sniffFormat(first('bgzf.fq.gz'))).toEqual({ format: 'fastq', gzipped: true, description: "BGZF-compressed FASTQ (bytes 1f 8b 08 04 00 00 00 00 …; inflated, it starts '@r1\\nACGT\\n+\\nIIII\\n')" });
    expect(sniffFormat(first('a.bam'))).toEqual({ format: 'bam', gzipped: true, description: 'BAM (BGZF data starting BAM\\1; bytes 1f 8b 08 04 00 00 00 00 …)' });
    expect(sniffFormat(first('plain-gzip.bam.gz')).format).toBe('bam');
    expect(sniffFormat(first('bgzf.sam.gz'))).toMatchObject({ format: 'gzip', gzipped: true, description: expect.stringMatching(/^BGZF-compressed SAM text \(bytes 1f 8b 08 04 /) });
    expect(sniffFormat(first('a.txt.gz'))).toEqual({ format: 'gzip', gzipped: true, description: "gzip-compressed text (bytes 1f 8b 08 00 00 00 00 00 …; inflated, it starts 'hello\\n')" });
  });

  it('reads a gzip stream cut at SNIFF_BYTES, and a FASTQ window that ends inside a record', () => {
    expect(bytes('big.fq.gz').length).toBeGreaterThan(SNIFF_BYTES);
    expect(sniffFormat(first('big.fq.gz'))).toMatchObject({ format: 'fastq', gzipped: true });
    expect(sniffFormat(first('big.fq'))).toMatchObject({ format: 'fastq' });
    // Every cut of the plain window's last record is still FASTQ.
    const big = bytes('big.fq');
    for (let cut = 4000; cut < 4240; cut++) expect(sniffFormat(big.subarray(0, cut)).format, `cut at ${cut}`).toBe('fastq');
    // More than SNIFF_BYTES given: the rest is not looked at.
    expect(sniffFormat(Buffer.concat([first('big.fq'), Buffer.alloc(100, 0)])).format).toBe('fastq');
  });

  it('inflates at most a bounded amount of a highly compressed file (50 MB of zeros)', () => {
    expect(sniffFormat(first('zeros.gz'))).toEqual({ format: 'gzip', gzipped: true, description: 'gzip-compressed binary data: a NUL byte at offset 0 (bytes 1f 8b 08 00 …; inflated 00 00 00 00 00 00 00 00 …)' });
  });

  it('names known binary formats by their magic bytes, and other binary data by its first NUL or bad UTF-8', () => {
    expect(sniffFormat(first('a.fq.xz')).description).toBe('xz data (bytes fd 37 7a 58 5a 00 00 04 …)');
    expect(sniffFormat(first('a.fq.bz2')).description).toMatch(/^bzip2 data \(bytes 42 5a 68 /);
    expect(sniffFormat(first('a.fq.zst')).description).toMatch(/^zstd data \(bytes 28 b5 2f fd /);
    expect(sniffFormat(Buffer.from('ab\0cd'))).toEqual({ format: 'binary', description: 'binary data: a NUL byte at offset 2 (bytes 61 62 00 63 64)' });
    expect(sniffFormat(Buffer.from('caf\xe9\n', 'latin1'))).toEqual({ format: 'binary', description: 'binary data: bytes that are not UTF-8 at offset 3 (e9 0a) (bytes 63 61 66 e9 0a)' });
  });

  it('takes UTF-8 text whose last character is cut by the window', () => {
    const text = Buffer.concat([Buffer.alloc(SNIFF_BYTES - 1, 'a'), Buffer.from('é')]); // é is c3 a9: the window ends after c3
    expect(sniffFormat(text.subarray(0, SNIFF_BYTES)).format).toBe('text');
    expect(sniffFormat(Buffer.from('naïve ✓ 😀 text\n')).format).toBe('text');
  });

  it('reads multi-line, CRLF and blank-line-separated FASTQ as kseq does', () => {
    expect(sniffFormat(Buffer.from('@r1\nACGT\nAC\n+\nIIII\nII\n@r2\nA\n+\nI\n')).format).toBe('fastq');
    expect(sniffFormat(Buffer.from('@r1\r\nACGT\r\n+\r\nIIII\r\n')).format).toBe('fastq');
    expect(sniffFormat(Buffer.from('\n@r1\nACGT\n+\n@III\n\n@r2\nA\n+\nI\n')).format).toBe('fastq'); // a quality may start with @
    expect(sniffFormat(Buffer.from('@r1\n\n+\n\n')).format).toBe('fastq'); // an empty read
  });

  it('marks gzip that does not inflate, or whose header is cut, as damaged', () => {
    expect(sniffFormat(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff]))).toEqual({
      format: 'gzip', gzipped: true, damaged: 'invalid block type', description: 'gzip data that does not inflate: invalid block type (bytes 1f 8b 08 00 00 00 00 00 …)',
    });
    expect(sniffFormat(Buffer.from([0x1f, 0x8b, 0x08]))).toMatchObject({ format: 'gzip', damaged: 'the gzip header is cut short' });
  });
});

describe('checkFormat', () => {
  const fits: [declared: Parameters<typeof checkFormat>[0], file: string][] = [
    ['fastq', 'a.fq'], ['fastq', 'a.fq.gz'], ['fastq', 'bgzf.fq.gz'], ['fastq', 'big.fq.gz'],
    ['fasta', 'a.fa'], ['fasta', 'a.fa.gz'],
    ['bam', 'a.bam'],
    ['gzip', 'a.fq.gz'], ['gzip', 'bgzf.sam.gz'], ['gzip', 'a.txt.gz'], ['gzip', 'zeros.gz'],
    ['gzip', 'a.bam'], // BAM is BGZF, which is gzip: zcat reads it
    ['text', 'a.fq'], ['text', 'a.fa'], ['text', 'a.sam'],
  ];
  it.each(fits)('%s takes %s', (declared, file) => {
    expect(checkFormat(declared, first(file))).toBeUndefined();
  });

  it('fastq declared, fasta given: says the first record starts with > (FASTA?)', () => {
    expect(checkFormat('fastq', first('a.fa'))).toBe("expected fastq: the first record must start with '@', found '>chr1 desc' (FASTA?)");
    expect(checkFormat('fastq', first('a.fa.gz'))).toBe("expected fastq (inside the gzip data): the first record must start with '@', found '>chr1 desc' (FASTA?)");
    expect(checkFormat('fasta', first('a.fq'))).toBe("expected fasta: the first record must start with '>', found '@r1 sample=A' (FASTQ?)");
  });

  it('fastq declared: names the broken line of a record, and a SAM file', () => {
    expect(checkFormat('fastq', Buffer.from('@r1\nACGTN\n+\nIII\n@r2\n'))).toBe('expected fastq: line 4 has 3 qualities, line 2 has 5 bases; they must be as many');
    expect(checkFormat('fastq', Buffer.from('@r1\nAC GT\n+\nIIIII\n'))).toBe("expected fastq: line 2 must be a sequence (letters) or the '+' line, found 'AC GT'");
    expect(checkFormat('fastq', Buffer.from('@r1\nACGT\n+\nIIII\nr2\n'))).toBe("expected fastq: line 5 must start a record with '@', found 'r2'");
    expect(checkFormat('fastq', Buffer.from('@r1\nACGT\nAC\n+\nIIII\nIIII\n'))).toBe('expected fastq: the record ending on line 6 has 6 bases and 8 qualities; they must be as many');
    expect(checkFormat('fastq', first('a.sam'))).toBe("expected fastq: the first line is a SAM header line, '@SQ\\tSN:c1\\tLN…' (SAM?)");
    expect(checkFormat('fastq', Buffer.from('\n\n'))).toBe('expected fastq: no record, only blank lines');
  });

  it('bam declared, plain gzip given: says BAM is BGZF', () => {
    expect(checkFormat('bam', first('a.fq.gz'))).toBe(
      "expected bam: BAM is BGZF (gzip blocks with a BC extra field), and this is plain gzip; found gzip-compressed FASTQ (bytes 1f 8b 08 00 00 00 00 00 …; inflated, it starts '@r1 sample=A\\nACGTN\\n+\\nIII…')",
    );
    expect(checkFormat('bam', first('bgzf.fq.gz'))).toBe(
      "expected bam: the BGZF data does not start with BAM\\1; found BGZF-compressed FASTQ (bytes 1f 8b 08 04 00 00 00 00 …; inflated, it starts '@r1\\nACGT\\n+\\nIIII\\n')",
    );
    expect(checkFormat('bam', first('a.sam'))).toBe("expected bam (BGZF-compressed data starting BAM\\1), found SAM text (starts '@SQ\\tSN:c1\\tLN:8\\nr1\\t0\\tc1\\t1…'); convert it with samtools view -b");
  });

  it('text declared, binary given: shows the bytes in hex', () => {
    const bin = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01]);
    expect(checkFormat('text', bin)).toBe('expected text (UTF-8 text without NUL bytes), found binary data: a NUL byte at offset 0 (bytes 00 61 73 6d 01 00 00 00 …)');
    expect(checkFormat('text', first('a.bam'))).toBe('expected text (UTF-8 text without NUL bytes), found BAM (BGZF data starting BAM\\1; bytes 1f 8b 08 04 00 00 00 00 …)');
    expect(checkFormat('text', first('a.fq.gz'))).toMatch(/^expected text \(UTF-8 text without NUL bytes\), found gzip-compressed FASTQ \(bytes 1f 8b /);
  });

  it('gzip declared: takes BAM, refuses plain files and damaged gzip', () => {
    expect(checkFormat('gzip', first('a.bam'))).toBeUndefined();
    expect(checkFormat('gzip', first('a.fq'))).toBe("expected gzip (gzip data, starting 1f 8b), found FASTQ (starts '@r1 sample=A\\nACGTN\\n+\\nIII…')");
    expect(checkFormat('gzip', first('a.fq.xz'))).toBe('expected gzip (gzip data, starting 1f 8b), found xz data (bytes fd 37 7a 58 5a 00 00 04 …)');
    const damaged = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff]);
    expect(checkFormat('gzip', damaged)).toBe('expected gzip: gzip data that does not inflate: invalid block type (bytes 1f 8b 08 00 00 00 00 00 …)');
    expect(checkFormat('fastq', damaged)).toBe('expected fastq: gzip data that does not inflate: invalid block type (bytes 1f 8b 08 00 00 00 00 00 …)');
  });

  it('says an empty file is empty, whatever is declared', () => {
    expect(checkFormat('fastq', first('empty'))).toBe('expected fastq (FASTQ, plain or gzip-compressed), found an empty file (0 bytes)');
    expect(checkFormat('text', first('empty'))).toBe('expected text (UTF-8 text without NUL bytes), found an empty file (0 bytes)');
    expect(checkFormat('bam', first('empty'))).toBe('expected bam (BGZF-compressed data starting BAM\\1), found an empty file (0 bytes)');
    expect(checkFormat('fastq', run('gzip', ['-n', '-c'], Buffer.alloc(0)))).toBe('expected fastq (FASTQ, plain or gzip-compressed), found gzip-compressed empty data (bytes 1f 8b 08 00 00 00 00 00 …)');
  });

  it('shows text escaped: control, bidi and non-ASCII characters never reach a terminal as they are', () => {
    expect(checkFormat('fastq', Buffer.from('>x\u202egnp.exe\u001b[31m\n'))).toBe("expected fastq: the first record must start with '@', found '>x\\u202egnp.exe\\u001b[…' (FASTA?)");
    expect(shownText("it's a \\ 😀")).toBe("'it\\'s a \\\\ \\u{1f600}'");
  });
});

describe('detected formats (what an upload records)', () => {
  it('names a sniff as UploadDoc.detected holds it, and checks a declared format against it by the same rules', () => {
    expect(['a.fq', 'a.fq.gz', 'bgzf.fq.gz', 'a.fa.gz', 'a.bam', 'a.txt.gz', 'a.sam', 'a.fq.xz', 'empty'].map((f) => detectedOf(first(f)))).toEqual(['fastq', 'fastq.gz', 'fastq.gz', 'fasta.gz', 'bam', 'gzip', 'text', 'binary', 'empty']);
    expect(checkDetected('fastq', 'fastq.gz')).toBeUndefined();
    expect(checkDetected('gzip', 'bam')).toBeUndefined();
    expect(checkDetected('text', 'fasta')).toBeUndefined();
    expect(checkDetected('fastq', 'fasta')).toBe('expected fastq (FASTQ, plain or gzip-compressed), found FASTA');
    expect(checkDetected('text', 'fastq.gz')).toBe('expected text (UTF-8 text without NUL bytes), found gzip-compressed FASTQ');
    expect(checkDetected('bam', 'gzip')).toBe('expected bam (BGZF-compressed data starting BAM\\1), found gzip data');
    expect(checkDetected('fasta', 'something\n')).toBe("expected fasta (FASTA, plain or gzip-compressed), found 'something\\n' (not a format toolflow knows)");
  });
});

describe('local files', () => {
  it('reads only the first SNIFF_BYTES of a file, and checks it', async () => {
    expect((await readFirstBytes(at('big.fq'))).length).toBe(SNIFF_BYTES);
    expect((await readFirstBytes(at('a.fq'))).toString()).toBe(FASTQ);
    expect(await checkFileFormat('fastq', at('big.fq.gz'))).toBeUndefined();
    expect(await checkFileFormat('fasta', at('a.fq'))).toBe("expected fasta: the first record must start with '>', found '@r1 sample=A' (FASTQ?)");
    await expect(checkFileFormat('fastq', at('none.fq'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
