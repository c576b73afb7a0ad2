#!/usr/bin/env node
// Writes the variant-calling example's data from fixed seeds, byte for byte the same on every run:
//
//   node examples/variant-calling/make-data.mjs DIR [--samples N] [--depth X]
//
// DIR/ref.fa       a reference genome: chr1 (30,000 bases) and chr2 (20,000), uniform random bases
// DIR/truth.tsv    the SNPs planted in each sample: sample, contig, 1-based position, ref, alt,
//                  genotype (0/1 heterozygous, 1/1 homozygous); one row per sample and non-reference site
// DIR/S1.fastq …   each sample's single-end reads (100 bases, Phred+33), drawn from its two haplotypes
//                  at DEPTH× (default 25) with 0.2 % substitution errors, half of them reverse-complemented
// DIR/samples.tsv  the sample sheet: columns sample and fastq (file names relative to DIR)
//
// 80 sites are drawn on the reference, at least 150 bases apart and 200 from a contig's end; each
// sample's genotype at each site is 0/0, 0/1 or 1/1 (probabilities 0.5, 0.3, 0.2), from a random
// stream of its own: sample S1's genotypes and reads are the same whatever N is (default 3).
// The data is synthetic and in the public domain. Nothing is downloaded.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** mulberry32: a small seeded PRNG (public domain); returns floats in [0, 1). */
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CONTIGS = [
  { name: 'chr1', length: 30_000 },
  { name: 'chr2', length: 20_000 },
];
const SITES = 80;
const MIN_SPACING = 150;
const END_MARGIN = 200;
const READ_LENGTH = 100;
const ERROR_RATE = 0.002;
const BASES = 'ACGT';
const COMPLEMENT = { A: 'T', C: 'G', G: 'C', T: 'A' };

function usage(message) {
  process.stderr.write(`${message}\nusage: node make-data.mjs DIR [--samples N] [--depth X]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let dir = null;
let samples = 3;
let depth = 25;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--samples' || a === '--depth') {
    const v = Number(args[++i]);
    if (a === '--samples' && !(Number.isInteger(v) && v >= 1 && v <= 1000)) usage(`--samples: "${args[i]}" is not a whole number from 1 to 1000`);
    if (a === '--depth' && !(v > 0 && v <= 1000)) usage(`--depth: "${args[i]}" is not a number above 0 and at most 1000`);
    if (a === '--samples') samples = v;
    else depth = v;
  } else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else if (dir === null) dir = a;
  else usage(`one folder only (got "${dir}" and "${a}")`);
}
if (dir === null) usage('missing the output folder');

// The reference.
const refRand = mulberry32(20240610);
const reference = CONTIGS.map((c) => {
  let seq = '';
  for (let i = 0; i < c.length; i++) seq += BASES[Math.floor(refRand() * 4)];
  return { ...c, seq };
});

// The sites: 1-based positions, spaced, with an alternative base that differs from the reference's.
const siteRand = mulberry32(7_311_942);
const sites = [];
const total = CONTIGS.reduce((s, c) => s + c.length, 0);
while (sites.length < SITES) {
  let at = Math.floor(siteRand() * total);
  const contig = reference.find((c) => (at < c.length ? true : ((at -= c.length), false)));
  const pos = at + 1;
  if (pos <= END_MARGIN || pos > contig.length - END_MARGIN) continue;
  if (sites.some((s) => s.contig === contig.name && Math.abs(s.pos - pos) < MIN_SPACING)) continue;
  const ref = contig.seq[pos - 1];
  const others = BASES.split('').filter((b) => b !== ref);
  sites.push({ contig: contig.name, pos, ref, alt: others[Math.floor(siteRand() * 3)] });
}
const contigOrder = new Map(CONTIGS.map((c, i) => [c.name, i]));
sites.sort((a, b) => contigOrder.get(a.contig) - contigOrder.get(b.contig) || a.pos - b.pos);

/** Each base as Phred+33, from Q30 to Q40. */
function quality(rand) {
  let q = '';
  for (let i = 0; i < READ_LENGTH; i++) q += String.fromCharCode(33 + 30 + Math.floor(rand() * 11));
  return q;
}

mkdirSync(dir, { recursive: true });
let fasta = '';
for (const c of reference) {
  fasta += `>${c.name}\n`;
  for (let i = 0; i < c.length; i += 60) fasta += `${c.seq.slice(i, i + 60)}\n`;
}
writeFileSync(join(dir, 'ref.fa'), fasta);

let truth = 'sample\tcontig\tposition\tref\talt\tgenotype\n';
let sheet = 'sample\tfastq\n';
for (let s = 1; s <= samples; s++) {
  const name = `S${s}`;
  const rand = mulberry32(1_000_003 * s + 17);
  // Two haplotypes per contig: an alt on haplotype 2 for 0/1, on both for 1/1.
  const haplotypes = reference.map((c) => [c.seq.split(''), c.seq.split('')]);
  for (const site of sites) {
    const r = rand();
    const genotype = r < 0.5 ? null : r < 0.8 ? '0/1' : '1/1';
    if (genotype === null) continue;
    const [h1, h2] = haplotypes[contigOrder.get(site.contig)];
    h2[site.pos - 1] = site.alt;
    if (genotype === '1/1') h1[site.pos - 1] = site.alt;
    truth += `${name}\t${site.contig}\t${site.pos}\t${site.ref}\t${site.alt}\t${genotype}\n`;
  }
  const joined = haplotypes.map(([h1, h2]) => [h1.join(''), h2.join('')]);
  const reads = Math.round((depth * total) / READ_LENGTH);
  const starts = CONTIGS.reduce((n, contig) => n + contig.length - READ_LENGTH + 1, 0);
  const chunks = [];
  for (let i = 1; i <= reads; i++) {
    let start = Math.floor(rand() * starts);
    const c = CONTIGS.findIndex((contig) => (start <= contig.length - READ_LENGTH ? true : ((start -= contig.length - READ_LENGTH + 1), false)));
    const hap = joined[c][rand() < 0.5 ? 0 : 1];
    let seq = hap.slice(start, start + READ_LENGTH);
    if (rand() < 0.5) seq = seq.split('').reverse().map((b) => COMPLEMENT[b]).join('');
    let read = '';
    for (const b of seq) read += rand() < ERROR_RATE ? BASES.replace(b, '')[Math.floor(rand() * 3)] : b;
    chunks.push(`@${name}_${i}\n${read}\n+\n${quality(rand)}\n`);
  }
  writeFileSync(join(dir, `${name}.fastq`), chunks.join(''));
  sheet += `${name}\t${name}.fastq\n`;
}
writeFileSync(join(dir, 'truth.tsv'), truth);
writeFileSync(join(dir, 'samples.tsv'), sheet);
