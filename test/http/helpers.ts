/**
 * What the HTTP function tests share: CloudEvents as HTTP requests in either mode (the cloudevents
 * SDK's own serialisers), POSTs, a workflow turned into a real `task.submitted`, and an event sink
 * server that records what it is sent, and function processes started on a free port.
 */
import { CloudEvent, HTTP } from 'cloudevents';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { EventType, makeEvent, type ToolflowEvent } from '../../shared/events/catalog.js';
import { validateSubmission } from '../../shared/handlers/validate.js';

/** A request: headers and body. */
export interface Message {
  headers: Record<string, string>;
  body: string;
}

/** An event in binary mode (attributes in `ce-*` headers, data as the body). */
export function binary(event: ToolflowEvent): Message {
  const m = HTTP.binary(new CloudEvent({ ...event }));
  return { headers: m.headers as Record<string, string>, body: String(m.body) };
}

/** An event in structured mode (the whole event as `application/cloudevents+json`). */
export function structured(event: ToolflowEvent): Message {
  const m = HTTP.structured(new CloudEvent({ ...event }));
  return { headers: m.headers as Record<string, string>, body: String(m.body) };
}

/** POSTs a message. @returns status and parsed JSON body (or the text; '' for none). */
export async function post(url: string, m: Message): Promise<{ status: number; body: unknown; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: m.headers, body: m.body });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : '';
  } catch {
    // not JSON: the text is the body
  }
  return { status: res.status, body, text };
}

/** A real `task.submitted` for a workflow of `tools` no-op tools (`a`, `b`…), owner `ann`. */
export function submitted(tools = 1): ToolflowEvent<typeof EventType.taskSubmitted> {
  const names = Array.from({ length: tools }, (_, i) => String.fromCharCode(97 + i));
  const text = `name: http-fn\ntools:\n${names.map((n) => `  - {name: ${n}, cmds: ["true"]}`).join('\n')}\n`;
  return validateSubmission({ owner: 'ann', workflowFile: 'wf.yaml', workflowText: text, values: [], inputs: {} }, { capacity: { cpuMillicores: 4000, memBytes: 8e9, diskBytes: null } });
}

/** The `tool.exited` of a successful first attempt of `tool`, as the executor reports it. */
export function exited(sub: ToolflowEvent<typeof EventType.taskSubmitted>, tool: string, at: number): ToolflowEvent<typeof EventType.toolExited> {
  const t = sub.data.spec.tools.find((x) => x.name === tool)!;
  const resources = { cpuMillicores: t.cpuMillicores, memBytes: t.memBytes, diskBytes: t.diskBytes, timeSeconds: t.timeSeconds };
  return makeEvent(
    EventType.toolExited,
    '/test/executor',
    { taskId: sub.data.taskId, tool, attempt: 1, at, resources, retry: t.retry, exitCode: 0, signal: null, oomKilled: false, peakMemBytes: null, stderrTail: '', missingOutputs: [] },
    `exited/${sub.data.taskId}/${tool}/1`,
  );
}

/** An HTTP server standing for `K_SINK` (a Knative broker's ingress). */
export interface Sink {
  url: string;
  /** Every request received, in order. */
  received: { headers: IncomingHttpHeaders; body: string; event: CloudEvent<unknown> }[];
  /** Status the next requests get (202 by default). */
  status: number;
  close(): Promise<void>;
}

/** Starts a sink on a free loopback port; it parses each request with the SDK and records it. */
export async function startSink(): Promise<Sink> {
  const sink: Sink = {
    url: '',
    received: [],
    status: 202,
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const event = HTTP.toEvent({ headers: req.headers, body }) as CloudEvent<unknown>;
      sink.received.push({ headers: req.headers, body, event });
      res.writeHead(sink.status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  sink.url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  return sink;
}

/** A free TCP port on loopback (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createTcpServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A function process: its URL (127.0.0.1), its port, its stderr and stdout so far (its JSON logs go to stdout: shared/runtime/log.ts), and how it ended. */
export interface FunctionProcess {
  url: string;
  port: number;
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts `node ARGS` with `env` (over this process's), on a free port given to `args` and as
 * `http_port`, and waits until its readiness answers 200 on 127.0.0.1.
 * @throws Error with its stderr when it exits first or is not ready within 15 s.
 */
export async function startFunctionProcess(args: (port: number) => string[], env: Record<string, string>): Promise<FunctionProcess> {
  const port = await freePort();
  const child = spawn('node', args(port), { env: { ...process.env, TOOLFLOW_LOG_LEVEL: 'warn', ...env, http_port: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the function exited with ${child.exitCode}: ${err}`);
    if (i > 300) throw new Error(`the function did not get ready: ${err}`);
    const ok = await fetch(`${url}/health/readiness`).then((r) => r.status === 200, () => false);
    if (ok) return { url, port, child, stderr: () => err, exited };
    await new Promise((r) => setTimeout(r, 50));
  }
}
