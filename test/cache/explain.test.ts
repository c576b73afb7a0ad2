/**
 * `explainAttempt` (toolflow explain) and the status `cache` field, against a real (SQLite) store:
 * each outcome with the exact words.
 */
import { describe, expect, it } from 'vitest';
import { cacheKeyOf } from '../../shared/cache/cache-key.js';
import { cacheField, explainAttempt, withCacheFields } from '../../shared/cache/explain.js';
import { explanationText } from '../../shared/cli/explain-command.js';
import type { AttemptRequest } from '../../shared/executor/executor.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { newToolRun, type Store, type ToolRunFields } from '../../shared/store/store.js';

const resources = { cpuMillicores: 100, memBytes: 1e6, diskBytes: null, timeSeconds: null };

function partsOf(values: Record<string, number>): { key: string; parts: string } {
  const req: AttemptRequest = { taskId: 'x', tool: 'call', attempt: 1, owner: 'me', spec: { name: 'call', cmds: ['echo "$TF_OPT_q" > q.txt'], env: {}, outputs: ['q.txt'], image: null }, values, inputs: {}, deps: [], resources };
  const r = cacheKeyOf(req, new Map());
  if (r.key === null) throw new Error(r.why);
  return { key: r.key, parts: JSON.stringify(r.parts) };
}

async function storeWith(tasks: { id: string; createdAt: number; name?: string; noCache?: boolean; fields?: ToolRunFields | null; attempts?: number }[]): Promise<Store> {
  const store = openSqliteStore(':memory:');
  await store.migrate();
  for (const t of tasks) {
    const n = t.attempts ?? 1;
    await store.createTask(
      { id: t.id, owner: 'me', name: t.name ?? 'flow', status: 'processing', spec: JSON.stringify({ spec: {}, failFast: false, ...(t.noCache ? { noCache: true } : {}) }), values_json: '{}', inputs_json: '{}', error: null, created_at: t.createdAt, started_at: null, finished_at: null },
      [...Array.from({ length: n }, (_, i) => newToolRun(t.id, 'call', i + 1, resources)), newToolRun(t.id, 'other', 1, resources)],
    );
    if (t.fields === null) continue;
    const key = { taskId: t.id, tool: 'call', attempt: n };
    await store.moveToolRun(key, 'ready', { delivered_at: t.createdAt + 1 });
    await store.moveToolRun(key, 'succeeded', { exit_code: 0, finished_at: t.createdAt + 2, outputs_json: '[]', ...t.fields });
  }
  return store;
}

describe('explainAttempt', () => {
  it('a cache hit names the task it reused', async () => {
    const store = await storeWith([{ id: 'b', createdAt: 20, fields: { cache_key: partsOf({ q: 1 }).key, cache_parts: partsOf({ q: 1 }).parts, cached_from: 'a/call/1' } }]);
    const e = await explainAttempt(store, 'b', 'call');
    expect(e).toEqual({ taskId: 'b', tool: 'call', attempt: 1, outcome: 'cached', cachedFrom: 'a/call/1', previous: null, changes: [], message: "cache hit: reused the outputs of task a's attempt 1; it did not run" });
    expect(explanationText(e)).toBe("call (task b, attempt 1): cache hit: reused the outputs of task a's attempt 1; it did not run");
  });

  it('--no-cache', async () => {
    const p = partsOf({ q: 1 });
    const store = await storeWith([{ id: 'b', createdAt: 20, noCache: true, fields: { cache_key: p.key, cache_parts: p.parts } }]);
    expect(await explainAttempt(store, 'b', 'call')).toMatchObject({ outcome: 'no-cache', message: 'it ran because the task was submitted with --no-cache' });
  });

  it('a first run: no earlier task of the workflow (another workflow\'s tool of that name does not count)', async () => {
    const p = partsOf({ q: 1 });
    const store = await storeWith([
      { id: 'z', createdAt: 10, name: 'elsewhere', fields: { cache_key: p.key, cache_parts: p.parts } },
      { id: 'b', createdAt: 20, fields: { cache_key: p.key, cache_parts: p.parts } },
    ]);
    expect(await explainAttempt(store, 'b', 'call')).toMatchObject({ outcome: 'first-run', previous: null, message: 'it ran because no earlier run of workflow flow had tool call' });
  });

  it('changed parts, since the previous run', async () => {
    const a = partsOf({ q: 1 });
    const b = partsOf({ q: 2 });
    const store = await storeWith([
      { id: 'a', createdAt: 10, fields: { cache_key: a.key, cache_parts: a.parts } },
      { id: 'b', createdAt: 20, fields: { cache_key: b.key, cache_parts: b.parts }, attempts: 2 },
    ]);
    const e = await explainAttempt(store, 'b', 'call');
    expect(e).toMatchObject({ attempt: 2, outcome: 'changed', previous: 'a/call/1', changes: ['option q changed: 1 → 2'], message: 'it ran because, since the previous run (a/call/1): option q changed: 1 → 2' });
    expect(explanationText(e)).toBe('call (task b, attempt 2): it ran because, since the previous run (a/call/1):\n  - option q changed: 1 → 2');
  });

  it('a hit whose files were gone', async () => {
    const p = partsOf({ q: 1 });
    const store = await storeWith([{ id: 'b', createdAt: 20, fields: { cache_key: p.key, cache_parts: JSON.stringify({ ...JSON.parse(p.parts), refused: 'a/call/1' }) } }]);
    expect(await explainAttempt(store, 'b', 'call')).toMatchObject({
      outcome: 'refused',
      previous: 'a/call/1',
      message: 'it ran because the attempt with the same cache key (a/call/1) had lost its output files, or they differed: a cached result is never trusted without its files',
    });
  });

  it('the same key as a previous run that failed, or had not finished yet', async () => {
    const p = partsOf({ q: 1 });
    const store = await storeWith([
      { id: 'a', createdAt: 10, fields: null },
      { id: 'b', createdAt: 20, fields: { cache_key: p.key, cache_parts: p.parts } },
    ]);
    const a = { taskId: 'a', tool: 'call', attempt: 1 };
    await store.moveToolRun(a, 'ready', { delivered_at: 11, cache_key: p.key, cache_parts: p.parts });
    expect(await explainAttempt(store, 'b', 'call')).toMatchObject({ outcome: 'same-key', message: 'it ran with the same cache key as the previous run (a/call/1), which did not succeed (ready)' });
    await store.moveToolRun(a, 'succeeded', { exit_code: 0, finished_at: 500, outputs_json: '[]' });
    expect(await explainAttempt(store, 'b', 'call')).toMatchObject({ outcome: 'same-key', message: 'it ran with the same cache key as the previous run (a/call/1), which had not finished when this attempt was delivered' });
  });

  it('no key, with why; and a previous run without one', async () => {
    const p = partsOf({ q: 1 });
    const store = await storeWith([
      { id: 'a', createdAt: 10, fields: { cache_parts: '{"v":1,"none":"input ref has no checksum"}' } },
      { id: 'b', createdAt: 20, fields: { cache_key: p.key, cache_parts: p.parts } },
      { id: 'c', createdAt: 30, fields: { cache_parts: '{"v":1,"none":"input ref has no checksum"}' } },
      { id: 'd', createdAt: 40, fields: {} },
    ]);
    expect(await explainAttempt(store, 'c', 'call')).toMatchObject({ outcome: 'no-key', message: 'it ran without a cache key: input ref has no checksum' });
    expect(await explainAttempt(store, 'd', 'call')).toMatchObject({ outcome: 'no-key', message: 'it ran without a cache key: it was delivered by a toolflow without cached reruns' });
    // b is compared with a, which had no key.
    expect(await explainAttempt(store, 'b', 'call')).toMatchObject({ outcome: 'no-key', previous: 'a/call/1', message: 'it ran; the previous run (a/call/1) had no cache key to compare with: input ref has no checksum' });
  });

  it('an attempt not delivered yet; an unknown task or tool', async () => {
    const store = await storeWith([{ id: 'b', createdAt: 20, fields: null }]);
    expect(await explainAttempt(store, 'b', 'call')).toMatchObject({ outcome: 'not-run', message: 'it has not run (pending)' });
    await expect(explainAttempt(store, 'nope', 'call')).rejects.toThrow('no task nope; `toolflow status` lists recent tasks');
    await expect(explainAttempt(store, 'b', 'cal')).rejects.toThrow('task b has no tool cal; its tools: call, other');
  });
});

describe('the status cache field', () => {
  it('says hit and from, or why it ran, from the latest attempt row alone; null before delivery', async () => {
    const p = partsOf({ q: 1 });
    const store = await storeWith([
      { id: 'b', createdAt: 20, fields: { cache_key: p.key, cache_parts: p.parts, cached_from: 'a/call/1' } },
      { id: 'c', createdAt: 30, fields: { cache_key: p.key, cache_parts: p.parts } },
      { id: 'n', createdAt: 40, noCache: true, fields: { cache_key: p.key, cache_parts: p.parts } },
    ]);
    const tools = [{ name: 'call' }, { name: 'other' }];
    expect(await withCacheFields(store, (await store.getTask('b'))!, tools)).toEqual([
      { name: 'call', cache: { hit: true, from: 'a/call/1' } },
      { name: 'other', cache: null },
    ]);
    expect((await withCacheFields(store, (await store.getTask('c'))!, tools))[0]!.cache).toEqual({ hit: false, why: 'no earlier attempt had the same cache key (toolflow explain c call says what changed)' });
    expect((await withCacheFields(store, (await store.getTask('n'))!, tools))[0]!.cache).toEqual({ hit: false, why: 'the task ran with --no-cache' });
    const row = (await store.getToolRun({ taskId: 'c', tool: 'call', attempt: 1 }))!;
    expect(cacheField({ ...row, cache_parts: '{"v":1,"none":"input ref has no checksum"}' }, false)).toEqual({ hit: false, why: 'no cache key: input ref has no checksum' });
    expect(cacheField({ ...row, cache_parts: JSON.stringify({ ...JSON.parse(p.parts), refused: 'a/call/1' }) }, false)).toEqual({ hit: false, why: 'the cached attempt a/call/1 had lost its output files (or they differed)' });
  });
});
