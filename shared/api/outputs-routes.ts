/**
 * A tool's output files: `GET /v1/tasks/{taskId}/tools/{tool}/outputs` lists the declared outputs
 * present in the attempt's work dir (default its latest attempt) with their sizes;
 * `GET …/outputs/{name}` streams one. Only declared names are looked up, and only regular files
 * inside the work dir are served (`attempts/attempt-outputs.ts`).
 */
import type { FastifyInstance } from 'fastify';
import { findToolAttempt, specOf } from '../attempts/attempt-logs.js';
import { listOutputs, openOutput } from '../attempts/attempt-outputs.js';
import type { ApiContext } from './context.js';
import { routeSchema } from './openapi.js';

/**
 * A `Content-Disposition` naming the file (RFC 6266): an ASCII fallback with anything unsafe
 * replaced, and the exact name percent-encoded in `filename*` (RFC 8187).
 */
export function contentDisposition(name: string): string {
  const base = name.split('/').pop() ?? name;
  const ascii = base.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(base)}`;
}

/** Registers the outputs routes on `v1` (prefix `/v1`, authenticated). */
export function outputRoutes(v1: FastifyInstance, ctx: ApiContext): void {
  const { store } = ctx.runtime.ports;

  v1.get<{ Params: { taskId: string; tool: string }; Querystring: { attempt?: number } }>(
    '/tasks/:taskId/tools/:tool/outputs',
    { schema: routeSchema('GET', '/v1/tasks/{taskId}/tools/{tool}/outputs') },
    async (request) => {
      const { taskId, tool } = request.params;
      const task = await ctx.taskOf(request.owner, taskId);
      const { run, dir } = await findToolAttempt(store, task, tool, request.query.attempt, ctx.dirOf);
      const declared = specOf(task).tools.find((t) => t.name === tool)!.outputs;
      return { taskId, tool, attempt: run.attempt, outputs: await listOutputs(dir, declared) };
    },
  );

  v1.get<{ Params: { taskId: string; tool: string; '*': string }; Querystring: { attempt?: number } }>(
    '/tasks/:taskId/tools/:tool/outputs/*',
    { schema: routeSchema('GET', '/v1/tasks/{taskId}/tools/{tool}/outputs/{name}', { name: '*' }) },
    async (request, reply) => {
      const { taskId, tool } = request.params;
      const name = request.params['*'];
      const task = await ctx.taskOf(request.owner, taskId);
      const { run, dir } = await findToolAttempt(store, task, tool, request.query.attempt, ctx.dirOf);
      const declared = specOf(task).tools.find((t) => t.name === tool)!.outputs;
      const file = await openOutput(dir, declared, name, `tool ${tool} attempt ${run.attempt} of task ${taskId}`);
      reply
        .type('application/octet-stream')
        .header('content-length', file.size)
        .header('content-disposition', contentDisposition(name))
        .header('x-content-type-options', 'nosniff');
      // The size looked at when opened: a file that grows meanwhile is sent as it was then.
      return reply.send(file.size === 0 ? (await file.handle.close(), '') : file.handle.createReadStream({ start: 0, end: file.size - 1, autoClose: true }));
    },
  );
}
