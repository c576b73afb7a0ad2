#!/usr/bin/env node
/**
 * Writes shared/events/event-validators.generated.ts: the data schema of every event type
 * (schema/events/event-data.schema.json, `#/definitions/<type>`) compiled ahead of time into
 * standalone validators by ajv (https://ajv.js.org/standalone.html), so no process pays ajv's
 * import and the schemas' compile on its first events (~100-250 ms here, most of it for
 * task.submitted, whose data holds the whole plan: issue 10 §6). `npm run schemas` runs it after
 * generate-event-schemas.mjs; commit the result (test/events/event-validators.test.ts checks it is
 * up to date).
 *
 *   node scripts/generate-event-validators.mjs           writes the file
 *   node scripts/generate-event-validators.mjs --stdout  prints it instead
 *   node scripts/generate-event-validators.mjs --check   exits 1 when the committed file is out of date
 *
 * The options are those event-schemas.ts compiled with (first error only, strict, union types);
 * export `VALIDATORS` maps each event type to its validator.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { emitGenerated } from './generated-file.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA = 'schema/events/event-data.schema.json';
const OUT = join(root, process.env.OUT ?? 'shared/events/event-validators.generated.ts');
const OPTIONS = { allErrors: false, strict: true, allowUnionTypes: true };

function generate() {
  const schema = JSON.parse(readFileSync(join(root, SCHEMA), 'utf8'));
  const types = Object.keys(schema.definitions).filter((k) => k.startsWith('io.toolflow.')).sort();
  const ajv = new Ajv({ ...OPTIONS, code: { source: true, esm: true, lines: true } });
  ajv.addSchema(schema);
  // One export per type, named v0, v1…, then the map from type to export.
  const refs = Object.fromEntries(types.map((t, i) => [`v${i}`, `${schema.$id}#/definitions/${t}`]));
  const code = (standaloneCode.default ?? standaloneCode)(ajv, refs);
  const body = code.replace(/^"use strict";/, '').replace(/for\(const (key\d+) in /g, 'for(let $1 in ');
  return [
    '/* eslint-disable */',
    '// @ts-nocheck',
    `// Generated from ${SCHEMA} by scripts/generate-event-validators.mjs (npm run schemas): do not edit.`,
    `// ajv ${JSON.parse(readFileSync(join(root, 'node_modules/ajv/package.json'), 'utf8')).version}, options ${JSON.stringify(OPTIONS)}.`,
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
    body.trim(),
    `export const VALIDATORS = { ${types.map((t, i) => `${JSON.stringify(t)}: v${i}`).join(', ')} };`,
    '',
  ].join('\n');
}

emitGenerated(generate(), OUT, SCHEMA, process.argv[2]);
