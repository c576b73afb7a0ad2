#!/usr/bin/env node
/**
 * Writes shared/spec/workflow-validator.generated.ts: schema/workflow.schema.json compiled ahead of
 * time into a standalone validator by ajv (https://ajv.js.org/standalone.html), so no process pays
 * ajv's import and schema compile (~60 ms here) on start-up (start-up cost, issue 8 §6).
 * `npm run schemas` runs it; commit the result (test/spec/workflow-validator.test.ts checks it is
 * up to date).
 *
 *   node scripts/generate-workflow-validator.mjs           writes the file
 *   node scripts/generate-workflow-validator.mjs --stdout  prints it instead
 *   node scripts/generate-workflow-validator.mjs --check   exits 1 when the committed file is out of date
 *
 * The options are those the checker always used (`shared/spec/schema-check.ts`): every error
 * (allErrors), types coerced in place (coerceTypes: YAML scalars are read as strings), the
 * failing schema in each error (verbose: messages quote its `description`), non-strict.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitGenerated } from './generated-file.mjs';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA = 'schema/workflow.schema.json';
const OUT = join(root, 'shared/spec/workflow-validator.generated.ts');
/** ajv's options; schema-check.ts relies on them (see the header). */
const OPTIONS = { allErrors: true, coerceTypes: true, strict: false, verbose: true };

/** The module's text: ajv's ESM standalone code under a header, made loadable as TypeScript. */
function generate() {
  const schema = JSON.parse(readFileSync(join(root, SCHEMA), 'utf8'));
  const ajv = new Ajv({ ...OPTIONS, code: { source: true, esm: true, lines: true } });
  const code = (standaloneCode.default ?? standaloneCode)(ajv, ajv.compile(schema));
  // ajv's ESM output still `require`s its runtime helpers (ucs2length for maxLength…): give it one.
  // With coerceTypes, ajv emits an assignment to the loop variable of `for (const keyN in …)` for a
  // property name of the wrong type, which cannot happen (names are strings), but which bundlers
  // and esbuild refuse to compile: `let` makes the same code valid.
  const body = code.replace(/^"use strict";/, '').replace(/for\(const (key\d+) in /g, 'for(let $1 in ');
  return [
    '/* eslint-disable */',
    '// @ts-nocheck',
    `// Generated from ${SCHEMA} by scripts/generate-workflow-validator.mjs (npm run schemas): do not edit.`,
    `// ajv ${JSON.parse(readFileSync(join(root, 'node_modules/ajv/package.json'), 'utf8')).version}, options ${JSON.stringify(OPTIONS)}.`,
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
    body.trim(),
    '',
  ].join('\n');
}

emitGenerated(generate(), OUT, SCHEMA, process.argv[2]);
