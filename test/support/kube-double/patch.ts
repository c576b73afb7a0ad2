/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): PATCH bodies. JSON Patch (RFC 6902, what
 * `@kubernetes/client-node` 1.x sends by default) and JSON Merge Patch (RFC 7386). A strategic merge
 * patch is applied as a merge patch: lists are replaced whole rather than merged by key (a
 * documented difference from the real server; server-side apply answers 415).
 */
import { badRequest, unsupportedMediaType } from './status.js';

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386: objects merge key by key, `null` removes, anything else replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parent(doc: Json, path: string): { container: Record<string, Json> | Json[]; key: string } {
  const parts = path.split('/').slice(1).map(unescape);
  if (path === '' || parts.length === 0) throw badRequest('the root of the document cannot be patched');
  let cur = doc;
  for (const p of parts.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : isObject(cur) ? cur[p] : undefined;
    if (cur === undefined) throw badRequest(`the server rejected our request due to an error in our request: doc is missing path: "${path}"`);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw badRequest(`doc is missing path: "${path}"`);
  return { container: cur, key: parts[parts.length - 1]! };
}

function getAt(doc: Json, path: string): Json {
  const { container, key } = parent(doc, path);
  const v = Array.isArray(container) ? container[Number(key)] : container[key];
  if (v === undefined) throw badRequest(`doc is missing path: "${path}"`);
  return v;
}

function removeAt(doc: Json, path: string): Json {
  const { container, key } = parent(doc, path);
  const old = getAt(doc, path);
  if (Array.isArray(container)) container.splice(Number(key), 1);
  else delete container[key];
  return old;
}

function addAt(doc: Json, path: string, value: Json): void {
  const { container, key } = parent(doc, path);
  if (Array.isArray(container)) {
    const i = key === '-' ? container.length : Number(key);
    if (!Number.isInteger(i) || i < 0 || i > container.length) throw badRequest(`index out of range: "${path}"`);
    container.splice(i, 0, structuredClone(value));
  } else container[key] = structuredClone(value);
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

/** RFC 6902 on a copy of `doc`. @throws ApiError 400 for a failed operation or test. */
export function jsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  const out = structuredClone(doc);
  for (const o of ops as Operation[]) {
    switch (o.op) {
      case 'add':
        addAt(out, o.path, o.value);
        break;
      case 'remove':
        removeAt(out, o.path);
        break;
      case 'replace':
        removeAt(out, o.path);
        addAt(out, o.path, o.value);
        break;
      case 'move':
        addAt(out, o.path, removeAt(out, o.from!));
        break;
      case 'copy':
        addAt(out, o.path, getAt(out, o.from!));
        break;
      case 'test':
        if (JSON.stringify(getAt(out, o.path)) !== JSON.stringify(o.value)) throw badRequest(`the server rejected our request due to an error in our request: testing value ${o.path} failed`);
        break;
      default:
        throw badRequest(`Unexpected kind: ${o.op}`);
    }
  }
  return out;
}

/**
 * Applies a PATCH body by its Content-Type.
 * @throws ApiError 415 for a type the double does not apply (server-side apply), 400 for a bad patch.
 */
export function applyPatch(doc: Json, contentType: string, body: Json): Json {
  const type = contentType.split(';')[0]!.trim();
  if (type === 'application/json-patch+json') return jsonPatch(doc, body);
  if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') return mergePatch(doc, body);
  throw unsupportedMediaType(type);
}
