/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): `kind: Status` objects for errors, with the
 * reasons, codes and messages the real API server uses (k8s.io/apimachinery/pkg/api/errors).
 */
import { qualifiedKind, qualifiedResource, type ResourceInfo } from './kinds.js';

/** One field problem of an Invalid (422) Status (`details.causes[]`). */
export interface StatusCause {
  /** `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`, `FieldValueDuplicate`, `FieldValueForbidden`, `FieldValueTooLong`, `FieldValueNotFound`. */
  reason: string;
  /** e.g. `Required value`, `Invalid value: "X": must be ...`. */
  message: string;
  /** e.g. `spec.template.spec.containers[0].image`. */
  field: string;
}

/** A Status object as the API server returns it (`metav1.Status`). */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  code: number;
}

/** An error that the HTTP layer sends as its Status (with `status.code` as the HTTP status). */
export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? 'error');
  }
}

function failure(code: number, reason: string, message: string, details?: Status['details']): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

/** 404 NotFound: `jobs.batch "x" not found`. */
export function notFound(r: ResourceInfo, name: string): ApiError {
  return failure(404, 'NotFound', `${qualifiedResource(r)} "${name}" not found`, { name, ...(r.group ? { group: r.group } : {}), kind: r.resource });
}

/** 404 for a path the double does not serve. */
export function pathNotFound(): ApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** 409 AlreadyExists: `jobs.batch "x" already exists`. */
export function alreadyExists(r: ResourceInfo, name: string): ApiError {
  return failure(409, 'AlreadyExists', `${qualifiedResource(r)} "${name}" already exists`, { name, ...(r.group ? { group: r.group } : {}), kind: r.resource });
}

/** 409 Conflict: an update against a stale resourceVersion, or a failed precondition. */
export function conflict(r: ResourceInfo, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(r)} "${name}": ${why}`, { name, ...(r.group ? { group: r.group } : {}), kind: r.resource });
}

/** 422 Invalid: `Job.batch "x" is invalid: <field>: <message>` (several causes: `[a, b]`). */
export function invalid(r: ResourceInfo, name: string, causes: StatusCause[]): ApiError {
  const parts = causes.map((c) => `${c.field}: ${c.message}`);
  const list = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return failure(422, 'Invalid', `${qualifiedKind(r)} "${name}" is invalid: ${list}`, { name, ...(r.group ? { group: r.group } : {}), kind: r.kind, causes });
}

/** 410 Expired, what the watch cache answers for a compacted resourceVersion: `too old resource version: 5 (10)`. */
export function expired(requested: number, oldest: number): ApiError {
  return failure(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

/** 400 BadRequest. */
export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

/** 401 Unauthorized (no or a wrong bearer token). */
export function unauthorized(): ApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

/** 405 MethodNotAllowed. */
export function methodNotAllowed(): ApiError {
  return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

/** 415 UnsupportedMediaType (a patch type the double does not apply). */
export function unsupportedMediaType(type: string): ApiError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${type})`);
}

/** 413 RequestEntityTooLarge (bodies over 3 MiB, the API server's limit). */
export function tooLarge(limit: number): ApiError {
  return failure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/** 404 for a namespace that does not exist: `namespaces "x" not found`. */
export function namespaceNotFound(ns: string): ApiError {
  return failure(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
}

/** 403 Forbidden: creating in a namespace being deleted, and similar. */
export function forbidden(message: string): ApiError {
  return failure(403, 'Forbidden', message);
}

/** The Success Status a delete returns when the object is gone at once (the registry's `finalizeDelete`). */
export function deleted(r: ResourceInfo, name: string, uid: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, ...(r.group ? { group: r.group } : {}), kind: r.resource, uid }, code: 200 };
}
