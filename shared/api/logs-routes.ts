/**
 * A tool's logs: `GET /v1/tasks/{taskId}/tools/{tool}/logs?stream=stdout|stderr&attempt=N&follow=true`.
 * The attempt's `stdout.log` or `stderr.log` as it is now; with `follow`, the answer stays open and
 * carries what the file gains until the attempt ends (`attempts/attempt-logs.ts`, as
 * `toolflow logs --follow`), or the client goes away.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { findToolAttempt, followAttempt, notRunMessage, sizeOf } from '../attempts/attempt-logs.js';
import type { ApiContext } from './context.js';
import { notFound } from './errors.js';
import { routeSchema } from './openapi.js';

/** Registers the logs route on `v1` (prefix `/v1`, authenticated). */
export function logRoutes(v1: FastifyInstance, ctx: ApiContext): void {
  const { store } = ctx.runtime.ports;
  v1.get<{ Params: { taskId: string; tool: string }; Querystring: { stream?: 'stdout' | 'stderr'; attempt?: number; follow?: boolean } }>(
    '/tasks/:taskId/tools/:tool/logs',
    { schema: routeSchema('GET', '/v1/tasks/{taskId}/tools/{tool}/logs') },
    async (request, reply) => {
      const { taskId, tool } = request.params;
      const stream = request.query.stream ?? 'stdout';
      const task = await ctx.taskOf(request.owner, taskId);
      const { run, dir } = await findToolAttempt(store, task, tool, request.query.attempt, ctx.dirOf);
      const path = join(dir, `${stream}.log`);
      reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
      if (!request.query.follow) {
        const size = await sizeOf(path);
        if (size === null) {
          if (run.delivered_at === null) throw notFound(notRunMessage(tool, run, 'follow=true'));
          throw notFound(`no ${stream} log of tool ${tool} attempt ${run.attempt} on this server: it stays on the machine that ran the attempt`);
        }
        reply.header('content-length', size);
        // What the file held when looked at (a running tool's log may grow meanwhile).
        return reply.send(size === 0 ? '' : createReadStream(path, { start: 0, end: size - 1 }));
      }
      const out = new PassThrough();
      const stop = new AbortController();
      // The client went away (or the answer is done): stop following.
      reply.raw.on('close', () => stop.abort());
      followAttempt(
        store,
        { taskId, tool, attempt: run.attempt },
        [path],
        {
          async onData(_i, chunk) {
            if (!out.write(chunk)) await once(out, 'drain', { signal: stop.signal });
          },
        },
        { pollMs: ctx.settings.followPollMs, signal: stop.signal },
      ).then(
        () => out.end(),
        (err: unknown) => {
          if (!stop.signal.aborted) request.log.warn({ err: { message: (err as Error).message }, taskId, tool }, 'following a log failed');
          out.destroy(err as Error);
        },
      );
      return reply.send(out);
    },
  );
}
