#!/usr/bin/env node
/**
 * Start-up cost (issue 8 §6): after `tsc`, `npm run build` runs this to turn the compiled modules
 * listed in VENDORED, each `export * from '<package>'`, into that package bundled into one file
 * with esbuild (https://esbuild.github.io/api/#bundle). A package of hundreds of small modules
 * costs Node a resolution, a read and a module record per file at every process start; one file
 * costs one. The package, its version and its types are unchanged (the `.d.ts` still re-exports
 * it); only the files Node reads differ.
 *
 *   node scripts/bundle-dependencies.mjs           bundles in dist/
 *   node scripts/bundle-dependencies.mjs --check   exits 1 unless every VENDORED file in dist/ is a bundle
 *
 * Without esbuild (an install without dev dependencies), it says so and leaves the compiled
 * re-exports, which work as they are, only slower to load.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Compiled module → the package it re-exports (and only that). */
const VENDORED = { 'dist/shared/store/kysely.js': 'kysely' };
/** The first line of a bundle written here: how `--check` and the tests recognise one. */
const BANNER = '// Bundled by scripts/bundle-dependencies.mjs (esbuild):';

const isBundle = (file) => readFileSync(file, 'utf8').startsWith(BANNER);

if (process.argv[2] === '--check') {
  const missing = Object.keys(VENDORED).filter((f) => !existsSync(join(root, f)) || !isBundle(join(root, f)));
  if (missing.length) {
    process.stderr.write(`not bundled: ${missing.join(', ')}: run npm run build\n`);
    process.exit(1);
  }
  process.exit(0);
}

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  process.stderr.write('bundle-dependencies: esbuild is not installed (dev dependency): the compiled modules re-export their packages as they are (slower start-up)\n');
  process.exit(0);
}

for (const [file, pkg] of Object.entries(VENDORED)) {
  const out = join(root, file);
  if (!existsSync(out)) throw new Error(`${file} does not exist: run tsc -p tsconfig.build.json first`);
  if (isBundle(out)) continue;
  const version = JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  await esbuild.build({
    entryPoints: [out],
    outfile: out,
    allowOverwrite: true,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    legalComments: 'inline',
    banner: { js: `${BANNER} ${pkg} ${version}, from node_modules/${pkg}.` },
    logLevel: 'warning',
  });
  rmSync(`${out}.map`, { force: true }); // tsc's map is of the re-export, not of the bundle
}
