#!/usr/bin/env node
/**
 * Writes the generated monitoring files (monitoring/generate.ts lists them: the Grafana dashboard's
 * JSON, its ConfigMap, and the PrometheusRule made from monitoring/prometheus/toolflow-rules.yml)
 * from the compiled sources in dist/, so run `npm run build` first. Commit the result;
 * test/monitoring/generated.test.ts checks the committed files are up to date.
 *
 *   node scripts/generate-monitoring.mjs           writes the files
 *   node scripts/generate-monitoring.mjs --stdout  prints them instead, each after a `# <path>` line
 *   node scripts/generate-monitoring.mjs --check   exits 1 when a committed file is out of date
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist/monitoring/generate.js');
if (!existsSync(compiled)) {
  process.stderr.write(`${compiled} is missing: run npm run build first\n`);
  process.exit(2);
}
const { generatedFiles } = await import(compiled);
const mode = process.argv[2];
const files = generatedFiles(root);

if (mode === '--stdout') {
  for (const f of files) process.stdout.write(`# ${f.path}\n${f.text}`);
} else if (mode === '--check') {
  const stale = files.filter((f) => !existsSync(join(root, f.path)) || readFileSync(join(root, f.path), 'utf8') !== f.text);
  for (const f of stale) process.stderr.write(`${f.path} is out of date with ${f.source}: run npm run build && node scripts/generate-monitoring.mjs, and commit the result\n`);
  process.exit(stale.length ? 1 : 0);
} else if (mode === undefined) {
  for (const f of files) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true });
    writeFileSync(join(root, f.path), f.text);
    process.stdout.write(`wrote ${f.path}\n`);
  }
} else {
  process.stderr.write(`unknown argument ${mode}: use no argument (write), --stdout or --check\n`);
  process.exit(2);
}
