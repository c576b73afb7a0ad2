// The ahead-of-time compiled workflow validator (shared/spec/workflow-validator.generated.ts) is the
// schema as it is now, and it reports what a fresh ajv compile of the schema reports.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { validate } from '../../shared/spec/workflow-validator.generated.js';

const root = join(import.meta.dirname, '../..');
const schema = JSON.parse(readFileSync(join(root, 'schema/workflow.schema.json'), 'utf8')) as object;

describe('the compiled workflow validator', () => {
  it('is up to date with schema/workflow.schema.json (npm run schemas regenerates it)', () => {
    const fresh = execFileSync('node', [join(root, 'scripts/generate-workflow-validator.mjs'), '--stdout'], { encoding: 'utf8' });
    expect(readFileSync(join(root, 'shared/spec/workflow-validator.generated.ts'), 'utf8')).toBe(fresh);
  });

  it('gives the errors and coercions of ajv compiling the schema at run time', () => {
    const compiled = new Ajv({ allErrors: true, coerceTypes: true, strict: false, verbose: true }).compile(schema);
    const data = () => ({
      name: 'bad name!',
      tools: [
        { name: 'a', cmds: 'echo hi', cpu: '2', relly: ['b'], options: [{ name: 'x', type: 'int', default: '3' }] },
        { name: '9b', mem: 100, cmds: ['x'], time: 'soon' },
      ],
    });
    const [ours, theirs] = [data(), data()];
    const okOurs = validate(ours);
    const okTheirs = compiled(theirs);
    expect(okOurs).toBe(false);
    expect(okOurs).toBe(okTheirs);
    const shape = (errors: typeof compiled.errors) => (errors ?? []).map((e) => ({ keyword: e.keyword, instancePath: e.instancePath, params: e.params, message: e.message, schema: e.schema, parentSchema: e.parentSchema }));
    expect(shape((validate as unknown as { errors: typeof compiled.errors }).errors)).toEqual(shape(compiled.errors));
    expect(ours).toEqual(theirs); // the same coercions, in place
  });
});
