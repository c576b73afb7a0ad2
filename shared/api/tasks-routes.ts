/**
 * Tasks: submit (`POST /v1/tasks`), list the caller's (`GET /v1/tasks`), one with its tools and
 * attempts (`GET /v1/tasks/{taskId}`), cancel (`POST /v1/tasks/{taskId}/cancel`).
 */
import type { FastifyInstance } from 'fastify';
import { driverOf, cancelAbandoned } from '../runtime/task-driver.js';
import { isTerminal, type TaskStatus } from '../scheduler/status.js';
import { badRequest } from './errors.js';
import type { ApiContext } from './context.js';
import { routeSchema } from './openapi.js';
import { buildSubmission, checkJsonQuery, type SubmitBody, type SubmitQuery } from './submission.js';
import { cursorAfter, parseCursor, taskListItemView, taskView } from './task-view.js';

/** Every task status, for `status=`. */
const TASK_STATUSES: readonly TaskStatus[] = ['queued', 'processing', 'succeeded', 'failed', 'cancelled'];

/** Tasks a page holds when the request says nothing. */
const DEFAULT_PAGE = 20;

/**
 * Waits until the store has task `id` (enqueue records it once `task.submitted` is handled, maybe in
 * another process), so a `GET` on the answer's `Location` finds it; gives up after `ms`.
 */
async function recorded(ctx: ApiContext, id: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (let delay = 5; Date.now() < deadline; delay = Math.min(200, delay * 2)) {
    if (await ctx.runtime.ports.store.getTask(id)) return;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** Parses `status=` values (repeated, or separated by commas). @throws ApiError 400 naming an unknown one. */
function statusFilter(values: string[] | undefined): TaskStatus[] | undefined {
  if (!values) return undefined;
  const out: TaskStatus[] = [];
  for (const s of values.flatMap((v) => v.split(','))) {
    if (!(TASK_STATUSES as readonly string[]).includes(s)) throw badRequest(`status: "${s}" is not a task status; use ${TASK_STATUSES.join(', ')} (several separated by commas)`);
    if (!out.includes(s as TaskStatus)) out.push(s as TaskStatus);
  }
  return out;
}

/** Registers the task routes on `v1` (prefix `/v1`, authenticated). */
export function taskRoutes(v1: FastifyInstance, ctx: ApiContext): void {
  const { store } = ctx.runtime.ports;

  v1.post<{ Body: SubmitBody | string | undefined; Querystring: SubmitQuery }>(
    '/tasks',
    { schema: routeSchema('POST', '/v1/tasks'), bodyLimit: ctx.settings.submitBodyLimit },
    async (request, reply) => {
      const body = request.body;
      if (body === undefined || body === null) throw badRequest('send the workflow: its YAML text as the body (Content-Type: application/yaml), or JSON {"workflow": "<YAML text>", "values", "inputs", "failFast"}');
      let submission;
      if (typeof body === 'string') {
        submission = await buildSubmission(ctx.runtime.ports, ctx.runtime.ports.executor, request.owner, { text: body, query: request.query });
      } else {
        checkJsonQuery(request.query);
        submission = await buildSubmission(ctx.runtime.ports, ctx.runtime.ports.executor, request.owner, { json: body });
      }
      const taskId = await ctx.runtime.submit({ ...submission, ...(ctx.settings.workRoot ? { workRoot: ctx.settings.workRoot } : {}) });
      await recorded(ctx, taskId, ctx.settings.recordWaitMs);
      return reply.code(202).header('location', `/v1/tasks/${taskId}`).send({ taskId });
    },
  );

  v1.get<{ Querystring: { status?: string[]; limit?: number; cursor?: string } }>('/tasks', { schema: routeSchema('GET', '/v1/tasks') }, async (request) => {
    const limit = request.query.limit ?? DEFAULT_PAGE;
    const status = statusFilter(request.query.status);
    const after = request.query.cursor === undefined ? undefined : parseCursor(request.query.cursor);
    // One more than asked, to tell whether there is a next page.
    const rows = await store.listTasks(limit + 1, { owner: request.owner, ...(status ? { status } : {}), ...(after ? { after } : {}) });
    const page = rows.slice(0, limit);
    return { tasks: page.map(taskListItemView), nextCursor: rows.length > limit ? cursorAfter(page[page.length - 1]!) : null };
  });

  v1.get<{ Params: { taskId: string } }>('/tasks/:taskId', { schema: routeSchema('GET', '/v1/tasks/{taskId}') }, async (request) => {
    const task = await ctx.taskOf(request.owner, request.params.taskId);
    return taskView(task, await store.listToolRuns(task.id));
  });

  v1.post<{ Params: { taskId: string } }>('/tasks/:taskId/cancel', { schema: routeSchema('POST', '/v1/tasks/{taskId}/cancel') }, async (request, reply) => {
    const task = await ctx.taskOf(request.owner, request.params.taskId);
    const taskId = task.id;
    if (isTerminal(task.status)) return reply.code(200).send({ taskId, status: task.status });
    // A task this process drives is cancelled here at once (its tools get SIGTERM, then SIGKILL
    // after 10 s); not awaited, as that lasts until the task has ended.
    ctx.runtime.cancel(taskId).catch((err: unknown) => request.log.warn({ err: { message: (err as Error).message }, taskId }, 'cancel failed'));
    // Another process's task: as `toolflow cancel`, the request goes through the store, which its
    // driver polls; a task no live process drives is cancelled here, after stopping what it left.
    await store.requestCancel(taskId, Date.now());
    const driver = await driverOf(task, ctx.runtime.ports.coordination);
    if (driver.state === 'gone') await cancelAbandoned(task, store, ctx.runtime.ports.executor, 'cancelled through the API (no live process drove it)');
    const now = await store.getTask(taskId);
    if (now && isTerminal(now.status)) return reply.code(200).send({ taskId, status: now.status });
    return reply.code(202).send({ taskId, status: 'cancelling' });
  });
}
