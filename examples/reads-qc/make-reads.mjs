#!/usr/bin/env node
// Writes the example's sequencing reads (FASTQ, Phred+33) from a fixed seed, so the data set in
// data/reads.fastq can be remade byte for byte: `node examples/reads-qc/make-reads.mjs > examples/reads-qc/data/reads.fastq`.
// 4,000 reads of 60-150 bases; base composition drifts between reads (GC 35-65 %), quality falls
// along each read, and one read in eight is a low-quality read, so the quality filter has work to do.
// The data is synthetic and in the public domain.

/** mulberry32: a small seeded PRNG (public domain). */
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = mulberry32(20231129);
const reads = Number(process.argv[2] ?? 4000);
let out = '';
for (let i = 1; i <= reads; i++) {
  const length = 60 + Math.floor(rand() * 91);
  const gc = 0.35 + rand() * 0.3;
  const poor = rand() < 0.125;
  let seq = '';
  let qual = '';
  for (let p = 0; p < length; p++) {
    const r = rand();
    seq += r < gc / 2 ? 'G' : r < gc ? 'C' : r < gc + (1 - gc) / 2 ? 'A' : 'T';
    const base = poor ? 14 : 38 - (p / length) * 12;
    const q = Math.max(2, Math.min(41, Math.round(base + (rand() - 0.5) * 10)));
    qual += String.fromCharCode(33 + q);
  }
  out += `@read${i} synthetic length=${length}\n${seq}\n+\n${qual}\n`;
}
process.stdout.write(out);
