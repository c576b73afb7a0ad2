// The ahead-of-time compiled event validators (shared/events/event-validators.generated.ts) are the
// event data schema's, as scripts/generate-event-validators.mjs makes them from the committed schema.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import schema from '../../schema/events/event-data.schema.json' with { type: 'json' };
import { EventType } from '../../shared/events/catalog.js';
import { VALIDATORS } from '../../shared/events/event-validators.generated.js';

const root = join(import.meta.dirname, '../..');

describe('precompiled event validators', () => {
  it('are up to date with the event data schema (run npm run schemas after changing a type)', () => {
    const fresh = execFileSync('node', [join(root, 'scripts/generate-event-validators.mjs'), '--stdout'], { encoding: 'utf8' });
    expect(readFileSync(join(root, 'shared/events/event-validators.generated.ts'), 'utf8')).toBe(fresh);
  });

  it('cover every event type of the catalog and of the schema', () => {
    const types = Object.keys(schema.definitions).filter((k) => k.startsWith('io.toolflow.')).sort();
    expect(Object.keys(VALIDATORS).sort()).toEqual(types);
    expect(Object.values(EventType).filter((t) => !(t in VALIDATORS))).toEqual([]);
  });
});
