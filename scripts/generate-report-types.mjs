#!/usr/bin/env node
/**
 * Writes shared/reports/generated/: the TypeScript types of proto/toolflow/reports/v1/reports.proto
 * (the attempt report service), made by @grpc/proto-loader's `proto-loader-gen-types`. `npm run proto`
 * runs it; commit the result.
 *
 *   node scripts/generate-report-types.mjs              writes shared/reports/generated/
 *   node scripts/generate-report-types.mjs --out DIR    writes DIR instead (test/reports/generated-types.test.ts
 *                                                       compares that with the committed folder)
 *
 * The flags below must describe the objects `@grpc/proto-loader` builds at run time: they are the
 * same choices as LOADER_OPTIONS in shared/reports/report-proto.ts (camelCase fields, 64-bit
 * integers as JS numbers, enums as their names, defaults for absent plain fields, virtual oneof
 * fields telling which `optional` fields are set). Change both together.
 *
 * Each file gets a header saying it is generated, and turns off the two lint rules the generator's
 * own style breaks (`any` in a helper type, empty interfaces for field-less messages). The folder is emptied first, so
 * a message removed from the .proto leaves no stale file behind.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PROTO = 'toolflow/reports/v1/reports.proto';
const FLAGS = [
  '--longs=Number',
  '--enums=String',
  '--defaults',
  '--oneofs',
  '--includeComments',
  '--grpcLib=@grpc/grpc-js',
  '--importFileExtension=.js',
];
const HEADER =
  `// Generated from proto/${PROTO} by scripts/generate-report-types.mjs (npm run proto): do not edit.\n` +
  // Rule settings, not eslint-disable: an unused disable directive is itself a warning.
  '/* eslint @typescript-eslint/no-explicit-any: "off", @typescript-eslint/no-empty-object-type: "off" */\n';

const outIndex = process.argv.indexOf('--out');
const out = outIndex >= 0 ? resolve(process.argv[outIndex + 1] ?? '') : join(root, 'shared/reports/generated');
if (outIndex >= 0 && !process.argv[outIndex + 1]) {
  process.stderr.write('generate-report-types: --out needs a folder\n');
  process.exit(2);
}

const bin = createRequire(import.meta.url).resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// cwd = the repository root, so the generated "Original file" comments name the same path anywhere.
execFileSync(process.execPath, [bin, ...FLAGS, '-I', 'proto', '-O', out, PROTO], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });

/** Every file below `dir`, recursively. */
function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}
for (const file of filesUnder(out)) writeFileSync(file, HEADER + readFileSync(file, 'utf8'));
