/**
 * Checks HTTP answers of the user API against its OpenAPI 3.1 document (`openapi/openapi.yaml`):
 * the status is documented for the operation, the content type is one the document lists, the
 * required headers are there, and a JSON body validates against the schema (ajv, JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1). The API tests' client calls it on every answer.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { openApiDocument } from '../../shared/api/openapi.js';

type Json = Record<string, unknown>;

const doc = openApiDocument();
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
ajv.addSchema(doc, 'openapi');

/** JSON pointer escaping (RFC 6901). */
const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Each path template of the document as regexes of raw (still percent-encoded) paths: first with
 * every parameter one segment, then with a parameter that ends the template holding `/` too (an
 * output's name, `out/x.txt`); the strict forms are tried first, so the most specific template wins.
 */
function templateRegex(template: string, slashInLast: boolean): RegExp {
  const parts = template.split(/(\{[^}]+\})/);
  const source = parts
    .map((p, i) => (p.startsWith('{') ? (slashInLast && i === parts.length - 2 && parts[i + 1] === '' ? '(.+)' : '([^/]+)') : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}
const templates = [false, true].flatMap((slash) =>
  Object.keys(doc.paths as Json)
    .sort((a, b) => b.length - a.length)
    .map((template) => ({ template, regex: templateRegex(template, slash) })),
);

/** Every (operationId, status) checked so far, for the coverage test. */
export const checkedAnswers = new Set<string>();

/** Every (operationId, status) the document declares. */
export function documentedAnswers(): string[] {
  const out: string[] = [];
  for (const item of Object.values(doc.paths as Record<string, Json>)) {
    for (const [method, op] of Object.entries(item)) {
      if (method === 'parameters') continue;
      for (const status of Object.keys(((op as Json).responses as Json) ?? {})) out.push(`${(op as Json).operationId as string} ${status}`);
    }
  }
  return out;
}

function resolve(ref: string): Json {
  return ref
    .slice(2)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, k) => (node as Json)[k], doc) as Json;
}

/** An answer as the test client received it. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * Checks one answer.
 * @param method `GET`, `POST`…
 * @param rawPath the path as sent (query removed), percent-encoding kept.
 * @throws Error saying what does not match the document.
 */
export function checkAnswer(method: string, rawPath: string, answer: Answer): void {
  const what = `${method} ${rawPath} → ${answer.status}`;
  const match = templates.find((t) => t.regex.test(rawPath) && (doc.paths as Record<string, Json>)[t.template]![method.toLowerCase()]);
  const type = String(answer.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!match) {
    // No route: fastify's not-found handler answers the API's error form.
    if (answer.status !== 404 && answer.status !== 400 && answer.status !== 401) throw new Error(`${what}: no operation in the document, and not a 404`);
    validate('#/components/schemas/Error', answer, what, type);
    return;
  }
  const op = (doc.paths as Record<string, Json>)[match.template]![method.toLowerCase()] as Json;
  const responses = op.responses as Json;
  let response = responses[String(answer.status)] as Json | undefined;
  let base = `#/paths/${esc(match.template)}/${method.toLowerCase()}/responses/${answer.status}`;
  if (!response) throw new Error(`${what}: status ${answer.status} is not documented for ${op.operationId as string} (documented: ${Object.keys(responses).join(', ')})`);
  if (typeof response.$ref === 'string') {
    base = response.$ref;
    response = resolve(response.$ref);
  }
  checkedAnswers.add(`${op.operationId as string} ${answer.status}`);
  for (const [name, header] of Object.entries((response.headers as Record<string, Json>) ?? {})) {
    if (header.required && answer.headers[name.toLowerCase()] === undefined) throw new Error(`${what}: required header ${name} is missing`);
  }
  const content = response.content as Json | undefined;
  // A HEAD answer has no body (RFC 9110, 9.3.2), whatever the GET or error answer would carry.
  if (method.toUpperCase() === 'HEAD') return;
  if (!content) {
    if (answer.body.length) throw new Error(`${what}: the document declares no body, got ${answer.body.length} bytes`);
    return;
  }
  if (!(type in content)) throw new Error(`${what}: content type ${type || '(none)'} is not one of ${Object.keys(content).join(', ')}`);
  if (type === 'application/json') validate(`${base}/content/${esc(type)}/schema`, answer, what, type);
}

function validate(pointer: string, answer: Answer, what: string, type: string): void {
  if (type !== 'application/json') throw new Error(`${what}: expected JSON, got ${type || '(no content type)'}`);
  let body: unknown;
  try {
    body = JSON.parse(answer.body.toString('utf8'));
  } catch {
    throw new Error(`${what}: the body is not JSON: ${answer.body.toString('utf8').slice(0, 200)}`);
  }
  const check = ajv.getSchema(`openapi${pointer}`);
  if (!check) throw new Error(`${what}: the document has no schema at ${pointer}`);
  if (!check(body)) throw new Error(`${what}: the body does not match ${pointer}: ${ajv.errorsText(check.errors)}\n${JSON.stringify(body).slice(0, 2000)}`);
}
