#!/usr/bin/env node
// Checks a VCF against the SNPs make-data.mjs planted, independently of the workflow that made it:
//
//   node examples/variant-calling/check-variants.mjs CALLS.vcf TRUTH.tsv [--json]
//       [--min-recall 0.95] [--min-precision 0.95] [--min-concordance 0.95]
//
// CALLS.vcf: plain text VCF (bcftools ... -Ov), one column per sample, GT in FORMAT.
// TRUTH.tsv: sample, contig, position (1-based), ref, alt, genotype (0/1 or 1/1), with a header row;
// a sample's sites not listed are homozygous reference.
//
// Per sample, a planted SNP is **found** when the sample's called genotype at that contig and position
// carries the planted alt allele; a **false positive** is a called non-reference genotype anywhere
// else (another position, or another alt allele); the genotype is **concordant** when the called
// alleles equal the planted ones (0/1 and 1/0 alike; phasing ignored). Missing genotypes (./.) are not
// calls. Recall = found / planted, precision = true calls / all non-reference calls, concordance =
// concordant / found. Prints a table (or one JSON object with --json) and exits 1 when any sample is
// below a threshold, 2 for unreadable input.
//
// The default thresholds leave room for chance, not for bugs: at 25x depth a heterozygous site has
// fewer than 5 reads of either allele with probability ~1e-3, so with ~50 planted SNPs per sample
// a correct pipeline finds all of them nearly always and 95 % allows two misses; the reference is
// random sequence (no repeats) with 0.2 % random read errors, so false positives should be absent and
// 95 % precision allows two or three; a call with the wrong genotype is as rare as a miss.
import { readFileSync } from 'node:fs';

function fail(message) {
  process.stderr.write(`check-variants: ${message}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const files = [];
const min = { recall: 0.95, precision: 0.95, concordance: 0.95 };
let json = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const m = /^--min-(recall|precision|concordance)$/.exec(a);
  if (m) {
    const v = Number(args[++i]);
    if (!(v >= 0 && v <= 1)) fail(`${a}: "${args[i]}" is not a number from 0 to 1`);
    min[m[1]] = v;
  } else if (a === '--json') json = true;
  else if (a.startsWith('-')) fail(`unknown option ${a}`);
  else files.push(a);
}
if (files.length !== 2) fail('usage: check-variants.mjs CALLS.vcf TRUTH.tsv [--json] [--min-recall R] [--min-precision P] [--min-concordance C]');
const [vcfFile, truthFile] = files;

function read(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    return fail(`cannot read ${file}: ${err.message}`);
  }
}

/** Sorted alleles of a genotype, as text ("A/G"). */
const alleles = (list) => [...list].sort().join('/');

// truth: sample → "contig:pos" → {alt, alleles}
const truth = new Map();
const truthLines = read(truthFile).split('\n').filter((l) => l !== '');
if (truthLines[0] !== 'sample\tcontig\tposition\tref\talt\tgenotype') fail(`${truthFile}:1: expected the header "sample<TAB>contig<TAB>position<TAB>ref<TAB>alt<TAB>genotype"`);
for (const [i, line] of truthLines.slice(1).entries()) {
  const [sample, contig, pos, ref, alt, gt, extra] = line.split('\t');
  if (extra !== undefined || !/^[0-9]+$/.test(pos ?? '') || !/^[ACGT]$/.test(ref ?? '') || !/^[ACGT]$/.test(alt ?? '') || !['0/1', '1/1'].includes(gt)) {
    fail(`${truthFile}:${i + 2}: expected sample, contig, position, ref base, alt base, 0/1 or 1/1`);
  }
  if (!truth.has(sample)) truth.set(sample, new Map());
  truth.get(sample).set(`${contig}:${pos}`, { ref, alt, alleles: alleles(gt === '1/1' ? [alt, alt] : [ref, alt]) });
}

// calls: sample → "contig:pos" → called alleles (non-reference genotypes only)
let samples = null;
const calls = new Map();
for (const [i, line] of read(vcfFile).split('\n').entries()) {
  if (line === '' || line.startsWith('##')) continue;
  const cols = line.split('\t');
  if (line.startsWith('#')) {
    samples = cols.slice(9);
    for (const s of samples) calls.set(s, new Map());
    continue;
  }
  if (samples === null) fail(`${vcfFile}:${i + 1}: a record before the #CHROM header line`);
  if (cols.length !== 9 + samples.length) fail(`${vcfFile}:${i + 1}: ${cols.length} columns, expected ${9 + samples.length}`);
  const [contig, pos, , ref, alt, , , , format] = cols;
  const gtAt = format.split(':').indexOf('GT');
  if (gtAt < 0) fail(`${vcfFile}:${i + 1}: no GT in FORMAT ${format}`);
  const bases = [ref, ...alt.split(',')];
  samples.forEach((s, j) => {
    const gt = cols[9 + j].split(':')[gtAt];
    const idx = gt.split(/[/|]/);
    if (idx.some((x) => x === '.')) return;
    if (idx.every((x) => x === '0')) return;
    calls.get(s).set(`${contig}:${pos}`, idx.map((x) => bases[Number(x)]));
  });
}
if (samples === null) fail(`${vcfFile}: no #CHROM header line`);

const report = [];
for (const [sample, planted] of truth) {
  const called = calls.get(sample);
  if (called === undefined) fail(`sample ${sample} of ${truthFile} is not a column of ${vcfFile} (its samples: ${samples.join(', ') || 'none'})`);
  let found = 0;
  let concordant = 0;
  for (const [site, t] of planted) {
    const c = called.get(site);
    if (c === undefined || !c.includes(t.alt)) continue;
    found++;
    if (alleles(c) === t.alleles) concordant++;
  }
  let falsePositives = 0;
  for (const [site, c] of called) {
    const t = planted.get(site);
    if (t === undefined || !c.includes(t.alt) || c.some((b) => b !== t.ref && b !== t.alt)) falsePositives++;
  }
  const truePositives = called.size - falsePositives;
  report.push({
    sample,
    planted: planted.size,
    found,
    falsePositives,
    recall: planted.size === 0 ? 1 : found / planted.size,
    precision: called.size === 0 ? 1 : truePositives / called.size,
    concordance: found === 0 ? 1 : concordant / found,
  });
}
for (const s of samples) if (!truth.has(s)) fail(`sample ${s} of ${vcfFile} has no rows in ${truthFile}`);

const failures = report.flatMap((r) =>
  ['recall', 'precision', 'concordance'].filter((k) => r[k] < min[k]).map((k) => `${r.sample}: ${k} ${r[k].toFixed(3)} is below ${min[k]}`),
);
if (json) {
  process.stdout.write(`${JSON.stringify({ ok: failures.length === 0, thresholds: min, samples: report, failures })}\n`);
} else {
  const pct = (x) => `${(100 * x).toFixed(1)} %`;
  process.stdout.write('sample\tplanted\tfound\tfalse_pos\trecall\tprecision\tgenotype_concordance\n');
  for (const r of report) process.stdout.write(`${r.sample}\t${r.planted}\t${r.found}\t${r.falsePositives}\t${pct(r.recall)}\t${pct(r.precision)}\t${pct(r.concordance)}\n`);
  for (const f of failures) process.stdout.write(`FAIL ${f}\n`);
  if (failures.length === 0) process.stdout.write('ok\n');
}
process.exit(failures.length === 0 ? 0 : 1);
