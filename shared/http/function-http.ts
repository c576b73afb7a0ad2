/**
 * What every toolflow function sees of HTTP, whichever server carries it (faas-js-runtime for
 * Knative, the raw server for OpenFaaS's of-watchdog, `toolflow dev`): a request with its headers and
 * a body read on demand, and an answer (status, headers, body). Error answers are JSON
 * `{code, message}` with a stable code and no stack trace (docs: README, "Functions").
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { ToolflowError } from '../errors.js';

/** A request to a function. */
export interface FunctionRequest {
  /** `POST`, `GET`… */
  method: string;
  headers: IncomingHttpHeaders;
  /** The query string's parameters. */
  query: URLSearchParams;
  /**
   * The whole body, as the server has it: bytes, or text, or (faas-js-runtime without its raw body)
   * an object it parsed from JSON. Empty bodies are an empty Buffer.
   * @throws PayloadTooLargeError past `limit` bytes.
   */
  body(limit: number): Promise<Buffer | string | object>;
  /** The body as a stream of bytes (read it once, instead of `body`). */
  stream(): Readable;
}

/** A function's answer: status code, headers, body (empty string for none). */
export interface FunctionAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Thrown when a request body is larger than the function takes. */
export class PayloadTooLargeError extends ToolflowError {
  constructor(limit: number) {
    super('PAYLOAD_TOO_LARGE', `the request body is larger than ${limit} bytes`);
  }
}

/** A JSON answer. */
export function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): FunctionAnswer {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}

/** An error answer: JSON `{code, message}` (plus `issues` when given). */
export function errorAnswer(status: number, code: string, message: string, issues?: unknown): FunctionAnswer {
  return jsonAnswer(status, issues === undefined ? { code, message } : { code, message, issues });
}

/**
 * Reads a stream to its end into one Buffer.
 * @throws PayloadTooLargeError as soon as more than `limit` bytes came (the rest is not read).
 */
export async function readLimited(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > limit) {
      stream.destroy();
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** The body of a request a server has already read (faas-js-runtime's `rawBody` or `body`), as a FunctionRequest body. */
export function bufferedBody(body: Buffer | string | object | undefined): Pick<FunctionRequest, 'body' | 'stream'> {
  const value = body ?? Buffer.alloc(0);
  const bytes = () => (Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8'));
  return {
    async body(limit) {
      if (bytes().length > limit) throw new PayloadTooLargeError(limit);
      return value;
    },
    stream: () => Readable.from([bytes()]),
  };
}

/** The text of a body (a parsed object is written back as JSON). */
export function bodyText(body: Buffer | string | object): string {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return JSON.stringify(body);
}

/** One header's value (the first, when repeated); lowercase `name`. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
