/**
 * The OpenAPI document and the server agree (issue 8, section 4): every operation of
 * `openapi/openapi.yaml` is a route of the API and every route of the API is an operation; every
 * schema of the document compiles as JSON Schema 2020-12; `GET /openapi.json` serves the file.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../shared/api/app.js';
import { openApiDocument, openApiPath } from '../../shared/api/openapi.js';
import { startApi, type TestApi } from '../support/api.js';

type Json = Record<string, unknown>;
const doc = openApiDocument();
let api: TestApi;

beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => {
  await api?.close();
});

/** `METHOD /path/{param}` of every operation of the document. */
function documented(): string[] {
  return Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((k) => k !== 'parameters')
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1, and every schema in it compiles as JSON Schema 2020-12 with every reference resolved', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ajv = new Ajv2020({ strict: false });
    ajv.addFormat('date-time', true);
    ajv.addSchema(doc, 'openapi');
    const schemas = Object.keys((doc.components as { schemas: Json }).schemas);
    expect(schemas.length).toBeGreaterThan(15);
    for (const name of schemas) expect(() => ajv.getSchema(`openapi#/components/schemas/${name}`), name).not.toThrow();
    expect(new Set(Object.values(doc.paths as Record<string, Record<string, { operationId?: string }>>).flatMap((i) => Object.values(i).map((o) => o.operationId).filter(Boolean))).size).toBe(documented().length);
  });

  it('lists exactly the routes the API serves', async () => {
    // The /v1 routes are registered when the instance gets ready: a hook added now sees each.
    const app = buildApi(api.runtime);
    const v1: string[] = [];
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) v1.push(`${method} ${route.url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{name}')}`);
    });
    await app.ready();
    // fastify adds a HEAD route to every GET route: only a HEAD route of its own (tus) is an operation.
    for (const r of [...v1]) if (r.startsWith('HEAD ') && v1.includes(`GET ${r.slice(5)}`)) v1.splice(v1.indexOf(r), 1);
    try {
      const root = ['GET /health/liveness', 'GET /health/readiness', 'GET /openapi.json'];
      for (const r of root) expect(app.hasRoute({ method: r.split(' ')[0] as 'GET', url: r.split(' ')[1]! }), r).toBe(true);
      expect([...root, ...v1].sort()).toEqual(documented().sort());
    } finally {
      await app.close();
    }
  });

  it('is served as JSON at /openapi.json, equal to the YAML file', async () => {
    const r = await api.call('GET', '/openapi.json');
    expect(r.json).toEqual(yaml.load(readFileSync(openApiPath(), 'utf8')));
  });
});
