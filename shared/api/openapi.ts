/**
 * The user API's OpenAPI 3.1 document (`openapi/openapi.yaml`, written by hand, the one source):
 * loaded once, served at `GET /openapi.json`, and turned into the request schemas fastify checks
 * each route's path parameters, query and JSON body against, so the document and the server's
 * checks cannot drift apart.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifySchema } from 'fastify';
import yaml from 'js-yaml';

/** A JSON Schema, or part of the document, as plain data. */
type Json = Record<string, unknown>;

/** One parameter of an operation (OpenAPI "Parameter Object"), refs resolved. */
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Json;
}

/**
 * Where the document is: `openapi/` at the package root, two folders up from this module in the
 * sources (`shared/api/`) and three in the build (`dist/shared/api/`).
 * @throws Error naming the places looked at.
 */
export function openApiPath(): string {
  const candidates = ['../../openapi/openapi.yaml', '../../../openapi/openapi.yaml'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`the OpenAPI document is missing: looked for ${candidates.join(' and ')}`);
  return found;
}

let cached: Json | undefined;

/** The OpenAPI document as data (parsed once). @throws Error when it is missing or is not YAML. */
export function openApiDocument(): Json {
  cached ??= yaml.load(readFileSync(openApiPath(), 'utf8')) as Json;
  return cached;
}

/** The value at a local JSON pointer (`#/components/schemas/Task`) of the document. */
function resolvePointer(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local references are used in the OpenAPI document, got ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => {
      const next = (node as Json | undefined)?.[key];
      if (next === undefined) throw new Error(`the OpenAPI document has no ${ref}`);
      return next;
    }, doc);
}

/** A copy of `value` with every `$ref` replaced by what it points to (the document has no cycles). */
function inline(doc: Json, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => inline(doc, v));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Json;
  if (typeof obj.$ref === 'string') return inline(doc, resolvePointer(doc, obj.$ref));
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, inline(doc, v)]));
}

/** The operation `method` of `path` in the document, with the path's own parameters. @throws Error when the document has none. */
function operation(doc: Json, method: string, path: string): { op: Json; parameters: Parameter[] } {
  const item = (doc.paths as Json)[path] as Json | undefined;
  const op = item?.[method.toLowerCase()] as Json | undefined;
  if (!item || !op) throw new Error(`the OpenAPI document has no ${method} ${path}`);
  const params = [...((item.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])].map((p) => inline(doc, p) as Parameter);
  return { op, parameters: params };
}

/** An object schema of the parameters found `where`; unknown ones are refused. `rename` maps a document name to the route's. */
function parametersSchema(params: Parameter[], where: Parameter['in'], rename: Record<string, string> = {}): Json | undefined {
  const these = params.filter((p) => p.in === where).map((p) => ({ ...p, name: rename[p.name] ?? p.name }));
  if (these.length === 0) return where === 'query' ? { type: 'object', additionalProperties: false } : undefined;
  return {
    type: 'object',
    properties: Object.fromEntries(these.map((p) => [p.name, p.schema ?? {}])),
    required: these.filter((p) => p.required).map((p) => p.name),
    additionalProperties: false,
  };
}

/**
 * The fastify schema of one operation of the document: its path parameters, its query and its
 * JSON request body (other bodies, YAML text or an upload's bytes, are read by the route).
 * @param path as the document writes it (`/v1/tasks/{taskId}`).
 * @param rename path parameters the route names otherwise (`{name: '*'}` for a wildcard).
 * @throws Error when the document has no such operation.
 */
export function routeSchema(method: string, path: string, rename: Record<string, string> = {}): FastifySchema {
  const doc = openApiDocument();
  const { op, parameters } = operation(doc, method, path);
  const schema: FastifySchema = {};
  const params = parametersSchema(parameters, 'path', rename);
  if (params) schema.params = params;
  const query = parametersSchema(parameters, 'query');
  if (query) schema.querystring = query;
  const json = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.['application/json'] as Json | undefined;
  if (json?.schema) schema.body = { content: { 'application/json': { schema: inline(doc, json.schema) } } };
  return schema;
}
