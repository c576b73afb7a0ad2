/**
 * The variant-calling example (examples/variant-calling/) end to end, through the built CLI: data
 * made by its seeded generator (3 samples), `toolflow run` with a sample sheet and `--outdir`, the
 * published VCF checked against the planted SNPs by check-variants.mjs, a second run served from the
 * cache, and the same calls from Snakemake on the example's Snakefile.
 * Needs bwa, samtools and bcftools (Debian packages of those names), and `snakemake` (Debian's
 * `snakemake`) unless TOOLFLOW_TEST_SKIP names `snakemake`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { toolflow as runCli } from '../support/cli.js';
import { skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';

const exec = promisify(execFile);
const home = tempDir('toolflow-vc-');
const EXAMPLE = join(import.meta.dirname, '../../examples/variant-calling');
const MAKE = join(EXAMPLE, 'make-data.mjs');
const CHECK = join(EXAMPLE, 'check-variants.mjs');
const data = join(home, 'data');

/** Runs the CLI with this file's TOOLFLOW_HOME. */
const toolflow = (args: string[]) => runCli(args, { TOOLFLOW_HOME: join(home, 'toolflow') });

/** Runs a node script; never throws on a non-zero exit. */
async function node(args: string[]) {
  try {
    const { stdout, stderr } = await exec('node', args);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A VCF's records and #CHROM line (the ## header lines name commands and dates). */
const records = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('##'));

interface CheckJson {
  ok: boolean;
  samples: { sample: string; planted: number; found: number; falsePositives: number; recall: number; precision: number; concordance: number }[];
  failures: string[];
}

interface RunJson {
  taskId: string;
  status: string;
  tools: { name: string; status: string; attempts: { status: string; deliveredAt: string | null }[]; exitCode: number | null; cached: { taskId: string; tool: string; attempt: number } | null }[];
}

const TOOLS = ['bwa_index', ...['align', 'sort', 'index'].flatMap((t) => ['S1', 'S2', 'S3'].map((s) => `${t}[${s}]`)), 'call', 'stats'];

beforeAll(async () => {
  await exec('node', [MAKE, data, '--samples', '3']);
}, 60_000);

describe('make-data.mjs', () => {
  it('writes the same bytes on every run, and sample S1 the same whatever the number of samples', async () => {
    expect(Object.fromEntries(readdirSync(data).sort().map((f) => [f, sha256(join(data, f))]))).toEqual({
      'S1.fastq': '121793d402ee387d68b74b6613d2b8b9c9f7b576a58efa42da21f0996477af0d',
      'S2.fastq': 'f5a1780de8d826c37f4cf401cdc411914a9fd24256c6239e8b2bc4aabbeb55a4',
      'S3.fastq': '0d797ea74cea0c13e26e8c5924c416466dc86bd4c1b5258cd951db3552a4eb0b',
      'ref.fa': '9c001285153c75294e5cf7a18ddfbcba4259d5c68e0b2bb45ac2db58ec091d84',
      'samples.tsv': 'd36cf973f8e6c5f4c4cb46e1e764545f9d958c0f27cf418e41e7f1490bbeaa00',
      'truth.tsv': '0147da55237b340ae638e1a8f5f13e20b9fcb1098b28553cfbcda417c990944f',
    });
    expect(readFileSync(join(data, 'samples.tsv'), 'utf8')).toBe('sample\tfastq\nS1\tS1.fastq\nS2\tS2.fastq\nS3\tS3.fastq\n');
    const one = join(home, 'one');
    await exec('node', [MAKE, one, '--samples', '1']);
    expect(sha256(join(one, 'S1.fastq'))).toBe(sha256(join(data, 'S1.fastq')));
    expect(readFileSync(join(one, 'truth.tsv'), 'utf8')).toBe(
      readFileSync(join(data, 'truth.tsv'), 'utf8').split('\n').filter((l) => !/^S[23]\t/.test(l)).join('\n'),
    );
  });

  it.each([
    [[], 'missing the output folder'],
    [['a', 'b'], 'one folder only (got "a" and "b")'],
    [['d', '--samples', '0'], '--samples: "0" is not a whole number from 1 to 1000'],
    [['d', '--depth', 'x'], '--depth: "x" is not a number above 0 and at most 1000'],
    [['d', '--fast'], 'unknown option --fast'],
  ])('refuses bad arguments with exit 2: %j', async (args, message) => {
    const r = await node([MAKE, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('check-variants.mjs', () => {
  const truth = 'sample\tcontig\tposition\tref\talt\tgenotype\nA\tc1\t10\tG\tT\t0/1\nA\tc1\t50\tC\tA\t1/1\nB\tc1\t50\tC\tA\t0/1\n';
  const head = '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tB\n';
  const rec = (pos: number, ref: string, alt: string, a: string, b: string) => `c1\t${pos}\t.\t${ref}\t${alt}\t50\t.\t.\tGT:PL\t${a}:0,0,0\t${b}:0,0,0\n`;
  let n = 0;
  /** Writes a VCF and a truth file in a folder of their own, runs the checker with `args`. */
  async function check(vcf: string, truthText = truth, args: string[] = []) {
    const dir = join(home, `check-${++n}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'calls.vcf'), vcf);
    writeFileSync(join(dir, 'truth.tsv'), truthText);
    return { dir, ...(await node([CHECK, join(dir, 'calls.vcf'), join(dir, 'truth.tsv'), ...args])) };
  }

  it('counts found, false positives and genotype concordance per sample', async () => {
    // A: both found, 50 called 0/1 instead of 1/1; B: 50 found (1/0 equals 0/1), a false positive at 90.
    const r = await check(head + rec(10, 'G', 'T', '0/1', '0/0') + rec(50, 'C', 'A', '0/1', '1/0') + rec(90, 'A', 'C', './.', '0/1'), truth, ['--json', '--min-precision', '0.5', '--min-concordance', '0.5']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as CheckJson;
    expect(out.samples).toEqual([
      { sample: 'A', planted: 2, found: 2, falsePositives: 0, recall: 1, precision: 1, concordance: 0.5 },
      { sample: 'B', planted: 1, found: 1, falsePositives: 1, recall: 1, precision: 0.5, concordance: 1 },
    ]);
  });

  it('exits 1 naming the sample and measure below a threshold', async () => {
    const r = await check(head + rec(10, 'G', 'T', '0/1', '0/0') + rec(50, 'C', 'G', '1/1', '0/1'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL A: recall 0.500 is below 0.95');
    expect(r.stdout).toContain('FAIL A: precision 0.500 is below 0.95');
    expect(r.stdout).toContain('FAIL B: recall 0.000 is below 0.95');
  });

  it.each([
    ['a wrong truth header', head, 'sample\tpos\n', [], 'truth.tsv:1: expected the header'],
    ['a bad truth row', head, 'sample\tcontig\tposition\tref\talt\tgenotype\nA\tc1\tten\tG\tT\t0/1\n', [], 'truth.tsv:2: expected sample, contig, position'],
    ['a record before the header', rec(10, 'G', 'T', '0/1', '0/0'), truth, [], 'calls.vcf:1: a record before the #CHROM header line'],
    ['no header at all', '##fileformat=VCFv4.2\n', truth, [], 'calls.vcf: no #CHROM header line'],
    ['a short record', `${head}c1\t10\t.\tG\tT\n`, truth, [], 'calls.vcf:3: 5 columns, expected 11'],
    ['no GT', `${head}c1\t10\t.\tG\tT\t50\t.\t.\tPL\t0\t0\n`, truth, [], 'calls.vcf:3: no GT in FORMAT PL'],
    ['a truth sample not in the VCF', head.replace('\tB\n', '\tC\n'), truth, [], 'sample B of'],
    ['a VCF sample not in the truth', head.replace('\tB\n', '\tB\tC\n'), truth, [], 'sample C of'],
    ['a bad threshold', head, truth, ['--min-recall', '2'], '--min-recall: "2" is not a number from 0 to 1'],
    ['an unknown option', head, truth, ['--strict'], 'unknown option --strict'],
  ])('exits 2 for %s', async (_what, vcf, truthText, args, message) => {
    const r = await check(vcf, truthText, args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('exits 2 for a missing file', async () => {
    const r = await node([CHECK, join(home, 'none.vcf'), join(data, 'truth.tsv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot read ${join(home, 'none.vcf')}`);
  });
});

describe('the variant-calling example, run through the CLI with 3 samples', () => {
  const workflow = join(EXAMPLE, 'workflow.yaml');
  const inputs = ['--input', `ref=${join(data, 'ref.fa')}`, '--input', `samples=${join(data, 'samples.tsv')}`];
  let first: RunJson;

  it('validates', async () => {
    const r = await toolflow(['validate', workflow]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('runs every instance, publishes the VCF and stats, and the VCF has the planted SNPs', async () => {
    const outdir = join(home, 'results');
    const r = await toolflow(['run', workflow, ...inputs, '--outdir', outdir, '--json']);
    expect(r.stderr).not.toContain('internal error');
    first = JSON.parse(r.stdout) as RunJson;
    expect(r.code).toBe(0);
    expect(first.status).toBe('succeeded');
    expect(first.tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
    for (const t of first.tools) expect(t).toMatchObject({ status: 'succeeded', attempts: [{ status: 'succeeded' }], exitCode: 0, cached: null });
    expect(readdirSync(outdir).sort()).toEqual(['call', 'stats']);
    const vcf = join(outdir, 'call/calls.vcf');
    const check = await node([CHECK, vcf, join(data, 'truth.tsv'), '--json']);
    const result = JSON.parse(check.stdout) as CheckJson;
    expect(result.failures).toEqual([]);
    expect(check.code).toBe(0);
    expect(result.samples.map((s) => [s.sample, s.planted, s.found])).toEqual([
      ['S1', 45, 45],
      ['S2', 51, 51],
      ['S3', 35, 35],
    ]);
    const stats = readFileSync(join(outdir, 'stats/calls.stats.txt'), 'utf8');
    const snps = Number(/^SN\t0\tnumber of SNPs:\t(\d+)$/m.exec(stats)?.[1]);
    expect(snps).toBe(records(vcf).length - 1);
  });

  it('a second run reuses every tool from the cache and publishes the same files', async () => {
    expect(first?.status).toBe('succeeded');
    const outdir = join(home, 'results-2');
    const r = await toolflow(['run', workflow, ...inputs, '--outdir', outdir, '--json']);
    const again = JSON.parse(r.stdout) as RunJson;
    expect(r.code).toBe(0);
    expect(again.tools.map((t) => [t.name, t.status, t.cached?.taskId ?? null, t.cached?.tool ?? null]).sort()).toEqual(
      TOOLS.map((name) => [name, 'succeeded', first.taskId, name]).sort(),
    );
    for (const f of ['call/calls.vcf', 'stats/calls.stats.txt']) expect(sha256(join(outdir, f))).toBe(sha256(join(home, 'results', f)));
  });

  it("with one sample's reads changed, only that sample's tools and the gather run again", async () => {
    expect(first?.status).toBe('succeeded');
    const changed = join(home, 'changed');
    mkdirSync(changed);
    for (const f of readdirSync(data)) writeFileSync(join(changed, f), readFileSync(join(data, f)));
    const s2 = readFileSync(join(data, 'S2.fastq'), 'utf8').split('\n');
    writeFileSync(join(changed, 'S2.fastq'), s2.slice(4).join('\n')); // S2 without its first read
    const r = await toolflow(['run', workflow, '--input', `ref=${join(changed, 'ref.fa')}`, '--input', `samples=${join(changed, 'samples.tsv')}`, '--json']);
    const third = JSON.parse(r.stdout) as RunJson;
    expect(r.code).toBe(0);
    const reran = ['align[S2]', 'sort[S2]', 'index[S2]', 'call', 'stats'];
    expect(third.tools.filter((t) => t.cached === null).map((t) => t.name).sort()).toEqual([...reran].sort());
    for (const t of third.tools) expect(t.status).toBe('succeeded');
  });

  it.skipIf(skipped('snakemake'))('Snakemake on the example Snakefile calls the same variants', async () => {
    let version = '';
    try {
      version = execFileSync('snakemake', ['--version'], { encoding: 'utf8' });
    } catch {
      throw new Error('snakemake is not installed: apt-get install -y snakemake, or set TOOLFLOW_TEST_SKIP=snakemake to skip this test');
    }
    expect(version).toMatch(/^\d+\./);
    const dir = join(home, 'snakemake');
    await exec('snakemake', ['-s', join(EXAMPLE, 'Snakefile'), '--cores', '2', '--directory', dir, '--quiet', '--config', `ref=${join(data, 'ref.fa')}`, `samples=${join(data, 'samples.tsv')}`], { timeout: 120_000 });
    expect(existsSync(join(dir, 'calls.stats.txt'))).toBe(true);
    expect((await node([CHECK, join(dir, 'calls.vcf'), join(data, 'truth.tsv')])).code).toBe(0);
    const ours = records(join(home, 'results/call/calls.vcf'));
    expect(ours.length).toBeGreaterThan(50);
    expect(records(join(dir, 'calls.vcf'))).toEqual(ours);
  });
});
