/**
 * The user API for tests: a real runtime (SQLite store in a temporary TOOLFLOW_HOME, local object
 * store, in-process bus, the real local executor) behind `buildApi`, listening on a free loopback
 * port, and a client that talks to it over HTTP and checks every answer against the OpenAPI
 * document (`openapi-check.ts`).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { buildApi, type ApiOptions } from '../../shared/api/app.js';
import { issueToken } from '../../shared/api/tokens.js';
import { loadConfig } from '../../shared/runtime/config.js';
import { createRuntime, type Runtime } from '../../shared/runtime/runtime.js';
import { checkAnswer, type Answer } from './openapi-check.js';
import { tempDir } from './tmp.js';

/** A request of the test client. */
export interface CallOptions {
  token?: string;
  /** JSON (an object), text or bytes, or a stream sent chunked. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Called with each chunk of the answer's body as it arrives. */
  onChunk?: (chunk: Buffer, res: IncomingMessage) => void;
}

/** An answer, checked against the document, with its body as text and (for JSON) parsed. */
export interface CheckedAnswer extends Answer {
  text: string;
  json: unknown;
}

/** A running API. */
export interface TestApi {
  url: string;
  home: string;
  runtime: Runtime;
  /** The fastify instance. */
  app: FastifyInstance;
  /** A token of `owner`, made as `toolflow token create` makes one. */
  token(owner: string): Promise<string>;
  /** Sends a request; `path` is sent as it is (no normalisation), with its query. */
  call(method: string, path: string, options?: CallOptions): Promise<CheckedAnswer>;
  close(): Promise<void>;
}

/**
 * Sends one request over loopback HTTP.
 * @returns the answer once its body has ended.
 */
export function send(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const u = new URL(base);
  const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
  let payload: Buffer | Readable | undefined;
  const body = options.body;
  if (body !== undefined) {
    if (typeof (body as Readable).pipe === 'function') payload = body as Readable;
    else if (Buffer.isBuffer(body)) payload = body;
    else if (typeof body === 'string') payload = Buffer.from(body);
    else {
      payload = Buffer.from(JSON.stringify(body));
      headers['content-type'] ??= 'application/json';
    }
  }
  return new Promise((resolvePromise, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        options.onChunk?.(c, res);
      });
      res.on('end', () => resolvePromise({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload === undefined) req.end();
    else if (Buffer.isBuffer(payload)) req.end(payload);
    else payload.pipe(req as unknown as Writable);
  });
}

/** Starts the API on a fresh home. */
export async function startApi(options: ApiOptions & { log?: Logger; env?: NodeJS.ProcessEnv } = {}): Promise<TestApi> {
  const home = tempDir('toolflow-api-');
  // `env`: more of the configuration (TOOLFLOW_S3_BUCKET…), as the process's environment gives it.
  const config = loadConfig({ TOOLFLOW_HOME: home, ...options.env }, {});
  const runtime = await createRuntime(config, { log: options.log ?? pino({ level: 'silent' }) });
  const app = buildApi(runtime, { workRoot: resolve(config.workDir), followPollMs: 50, ...options });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    home,
    runtime,
    app,
    token: async (owner) => (await issueToken(runtime.ports.store, owner)).token,
    async call(method, path, callOptions = {}) {
      const answer = await send(url, method, path, callOptions);
      checkAnswer(method, path.replace(/\?.*$/, ''), answer);
      const text = answer.body.toString('utf8');
      const json = String(answer.headers['content-type'] ?? '').startsWith('application/json') ? (JSON.parse(text) as unknown) : undefined;
      return { ...answer, text, json };
    },
    async close() {
      await app.close();
      await runtime.close();
    },
  };
}

/** Waits until `test` resolves true (every 50 ms, at most `ms`). @throws naming `what` when it never does. */
export async function eventually(test: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  for (const t0 = Date.now(); !(await test()); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
  }
}
