#!/usr/bin/env node
/**
 * Writes schema/events/event-data.schema.json: the JSON Schema of every event type's `data`,
 * generated from the TypeScript types `EventData` in shared/events/catalog.ts (the one source) with
 * ts-json-schema-generator. `npm run schemas` runs it; commit the result.
 *
 *   node scripts/generate-event-schemas.mjs           writes the file
 *   node scripts/generate-event-schemas.mjs --stdout  prints it instead (test/events/event-schemas.test.ts
 *                                                     compares that with the committed file)
 *   node scripts/generate-event-schemas.mjs --check   exits 1 when the committed file is out of date
 *
 * Shape (JSON Schema draft-07): one file, `definitions` keyed by event type
 * (`#/definitions/io.toolflow.tool.exited`), next to the named types they share (`AttemptRef`,
 * `Resources`, `RetryPolicy`, `ToolSpec`, `WorkflowSpec`…), each defined once as in the source.
 *
 * Unknown fields: no object forbids them (`additionalProperties` is left open), so a newer
 * producer may add an optional field and an older consumer accepts the event and ignores the field.
 * Removing a field, making one required, or changing its type is a new event type
 * (`io.toolflow.tool.exited.v2`), as docs/events.md says.
 *
 * Integers: a field typed `number` is a JSON number unless its docstring says `@asType integer`
 * (counts, bytes, millicores, seconds, epoch ms).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitGenerated } from './generated-file.mjs';
import { createGenerator } from 'ts-json-schema-generator';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(root, 'schema/events/event-data.schema.json');
const SOURCE = 'shared/events/catalog.ts';
const ID = 'https://toolflow.dev/schema/events/event-data.schema.json';

/** The schema file's text (stable: properties and definitions sorted, two-space JSON, final newline). */
function generate() {
  const generator = createGenerator({
    path: join(root, SOURCE),
    tsconfig: join(root, 'tsconfig.json'),
    type: 'EventData',
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    additionalProperties: true,
    sortProps: true,
    // tsc checks the types (npm run typecheck); checking them here too would also fail the
    // generation on an unrelated file's error.
    skipTypeCheck: true,
  });
  const generated = generator.createSchema('EventData');
  const { EventData, ...named } = generated.definitions;
  if (!EventData?.properties) throw new Error(`${SOURCE}: EventData did not produce an object schema`);
  const definitions = {};
  for (const type of Object.keys(EventData.properties).sort()) {
    if (!/^io\.toolflow\.[a-z.]+$/.test(type)) throw new Error(`${SOURCE}: EventData key ${JSON.stringify(type)} is not an event type`);
    definitions[type] = EventData.properties[type];
  }
  for (const name of Object.keys(named).sort()) definitions[name] = named[name];
  const schema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: ID,
    title: 'toolflow event data',
    description:
      'The `data` of every toolflow CloudEvent, one definition per event type (#/definitions/<type>). ' +
      'Objects accept fields they do not name: a newer producer may add optional fields, which older consumers ignore. docs/events.md describes each type.',
    $comment: `Generated from EventData in ${SOURCE} by scripts/generate-event-schemas.mjs (npm run schemas): do not edit.`,
    definitions,
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

emitGenerated(generate(), OUT, SOURCE, process.argv[2]);
