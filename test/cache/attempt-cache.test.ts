/**
 * `reuseCached` (shared/cache/attempt-cache.ts) on its own, with a store stub: the cases schedule-tool
 * cannot reach through a real store (a hit on the very attempt asked for, outputs that cannot be
 * read), and the task's work folder read once for many hits.
 */
import { describe, expect, it } from 'vitest';
import { parseOutputs, reuseCached } from '../../shared/cache/attempt-cache.js';
import type { AttemptRequest } from '../../shared/executor/executor.js';
import { newToolRun, type Store, type TaskRow, type ToolRunRow } from '../../shared/store/store.js';

const resources = { cpuMillicores: 100, memBytes: 1e6, diskBytes: null, timeSeconds: null };
const request = (tool = 'x'): AttemptRequest => ({ taskId: 't', tool, attempt: 1, owner: 'me', spec: { name: tool, cmds: ['true'], env: {}, outputs: [], image: null }, values: {}, inputs: {}, deps: [], resources });
const hitRow = (over: Partial<ToolRunRow>): ToolRunRow => ({ ...newToolRun('old', 'x', 1, resources), status: 'succeeded', outputs_json: '[]', ...over });

function stubStore(row: ToolRunRow | undefined) {
  const getTask: string[] = [];
  const store: Pick<Store, 'findCachedRun' | 'getTask'> = {
    findCachedRun: async () => row,
    getTask: async (id) => {
      getTask.push(id);
      return { id, work_dir: `/work/${id}` } as TaskRow;
    },
  };
  return { store, getTask };
}

describe('reuseCached', () => {
  it('is no hit when the row found is the very attempt asked for', async () => {
    const { store } = stubStore(hitRow({ task_id: 't', tool: 'x', attempt: 1 }));
    const calls: unknown[] = [];
    expect(await reuseCached(store, { reuse: async (...a) => (calls.push(a), true) }, request(), 'k', () => false)).toEqual({ hit: false });
    expect(calls).toEqual([]);
  });

  it('refuses a hit whose recorded outputs cannot be read', async () => {
    const { store } = stubStore(hitRow({ task_id: 'old2', outputs_json: '{not json' }));
    expect(await reuseCached(store, { reuse: async () => true }, request(), 'k', () => false)).toEqual({ hit: false, refused: { taskId: 'old2', tool: 'x', attempt: 1, why: 'its recorded outputs cannot be read' } });
  });

  it('reads the reused task\'s work folder once for many hits, and passes it to the executor', async () => {
    const { store, getTask } = stubStore(hitRow({ task_id: 'old3', outputs_json: '[{"path":"a","bytes":1,"sha256":"ab"}]' }));
    const roots: (string | undefined)[] = [];
    for (const tool of ['x', 'y', 'z']) {
      const r = await reuseCached(store, { reuse: async (_req, from) => (roots.push(from.workRoot), true) }, request(tool), 'k', () => false);
      expect(r).toEqual({ hit: true, from: { taskId: 'old3', tool: 'x', attempt: 1 }, outputs: [{ path: 'a', bytes: 1, sha256: 'ab' }] });
    }
    expect(roots).toEqual(['/work/old3', '/work/old3', '/work/old3']);
    expect(getTask).toEqual(['old3']);
  });
});

describe('parseOutputs', () => {
  it('reads a JSON array; null, bad JSON and other JSON are undefined', () => {
    expect(parseOutputs('[]')).toEqual([]);
    expect(parseOutputs(null)).toBeUndefined();
    expect(parseOutputs('{"a":1}')).toBeUndefined();
    expect(parseOutputs('[')).toBeUndefined();
  });
});
