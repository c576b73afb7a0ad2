/**
 * `collectGarbage` (`runtime/gc.ts`) over the state real runs leave (the CLI in embedded mode, run as
 * a user runs it): old tasks' work dirs and input objects go, except the attempt a newer task
 * reused from the cache; unfinished tasks keep everything; objects no task names go once older than
 * the cutoff; symbolic links are removed, never followed out of the work dir (the folder a tool
 * linked to stays), and the user's input file stays; bytes freed count only files whose every link
 * went; a dry run removes nothing. After it, the next run of the same file still finds its checksum
 * (gc brought the ctime its unlink changed up to date), and a cache hit on a removed attempt runs
 * the tool again.
 */
import { appendFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectGarbage, type GcReport } from '../../shared/runtime/gc.js';
import { HOST } from '../../shared/runtime/input-checksums.js';
import type { KyselyStore } from '../../shared/store/kysely-store.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import { newToolRun } from '../../shared/store/store.js';
import { toolflow } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const home = tempDir('toolflow-gc-');
const env = { TOOLFLOW_HOME: home };
const work = join(home, 'work');
const objectsDir = join(home, 'objects');
const RAN = join(home, 'ran.log');
const OUTSIDE = join(home, 'outside');
const INPUT = join(home, 'data.bin');
const MiB = 1024 * 1024;

const flow = (name: string) => `name: ${name}
inputs:
  data: {type: file}
tools:
  - name: count
    cpu: 0.1
    mem: 64M
    outputs: [n.txt, big.txt]
    cmds:
      - echo ${name} >> '${RAN}'
      - wc -c < "$TF_INPUT_data" > n.txt
      - head -c ${MiB} /dev/zero | tr '\\0' x > big.txt
      - ln -s '${OUTSIDE}' escape
`;
writeFileSync(join(home, 'w.yaml'), flow('gc-flow'));
writeFileSync(join(home, 'other.yaml'), flow('gc-other'));

/** Runs a workflow with the input; @returns its task id. */
async function run(file: string, ...extra: string[]): Promise<string> {
  const r = await toolflow(['run', join(home, file), '--input', `data=${INPUT}`, '--json', ...extra], env);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { taskId: string }).taskId;
}

let store: KyselyStore;
const ids: Record<string, string> = {};
beforeAll(async () => {
  mkdirSync(OUTSIDE);
  writeFileSync(join(OUTSIDE, 'precious.txt'), 'not toolflow\'s\n');
  writeFileSync(INPUT, Buffer.alloc(3 * MiB, 7));
  ids.t1 = await run('w.yaml');
  ids.t3 = await run('other.yaml');
  ids.t2 = await run('w.yaml'); // a cache hit: reuses t1's attempt
  store = openSqliteStore(join(home, 'toolflow.db'));
  await store.migrate();
  // A task whose process died long ago, still processing (toolflow resume can take it over).
  await store.createTask(
    { id: 'deadbeef0001', owner: 'local', name: 'stalled', status: 'processing', spec: '{}', values_json: '{}', inputs_json: '{}', error: null, created_at: 1000, started_at: 1000, finished_at: null, work_dir: work },
    [newToolRun('deadbeef0001', 'x', 1, { cpuMillicores: 100, memBytes: 1e6, diskBytes: null, timeSeconds: null })],
  );
  mkdirSync(join(work, 'deadbeef0001', 'x', 'attempt-1'), { recursive: true });
  writeFileSync(join(work, 'deadbeef0001', 'x', 'attempt-1', 'half.txt'), 'half\n');
  // Uploads no task names: one old, one new; and the upload machinery's own folder.
  for (const [id, old] of [['00000000-0000-4000-8000-000000000001', true], ['00000000-0000-4000-8000-000000000002', false]] as const) {
    mkdirSync(join(objectsDir, 'local', id), { recursive: true });
    writeFileSync(join(objectsDir, 'local', id, 'f.txt'), 'x');
    if (old) utimesSync(join(objectsDir, 'local', id), 1000, 1000);
  }
  mkdirSync(join(objectsDir, '_tus', 'local'), { recursive: true });
  writeFileSync(join(objectsDir, '_tus', 'local', 'u.info'), '{}');
  utimesSync(join(objectsDir, '_tus', 'local'), 1000, 1000);
}, 120_000);
afterAll(() => store.close());

const task = async (id: string) => (await store.getTask(id))!;
const objectOf = async (id: string) => join(objectsDir, ...Object.values(JSON.parse((await task(id)).inputs_json) as Record<string, { key: string }>)[0]!.key.split('/'));

describe('toolflow gc', () => {
  let cutoff: number;
  let dry: GcReport;

  it('a dry run says what would go and the bytes it would free, and removes nothing', async () => {
    expect((await store.listToolRuns(ids.t2!))[0]!.cached_from).toBe(`${ids.t1}/count/1`);
    cutoff = (await task(ids.t2!)).created_at; // t1 and t3 finished before t2 was submitted
    const before = readdirSync(work).sort();
    dry = await collectGarbage({ store, workDir: work, objectsDir }, { before: cutoff, dryRun: true });
    expect(dry.tasks.map((t) => [t.taskId, t.keptAttempts])).toEqual(
      expect.arrayContaining([
        [ids.t1, ['count/attempt-1']],
        [ids.t3, []],
      ]),
    );
    expect(dry.tasks).toHaveLength(2);
    expect(dry.keptTasks).toBe(2); // t2 and the stalled task
    expect(dry.objects.map((o) => o.kind).sort()).toEqual(['file', 'link', 'link']);
    expect(readdirSync(work).sort()).toEqual(before);
    expect(existsSync(await objectOf(ids.t1!))).toBe(true);
    expect(existsSync(join(objectsDir, 'local', '00000000-0000-4000-8000-000000000001'))).toBe(true);
  });

  it('removes old tasks\' work dirs and objects, keeps the attempt a newer task reused and everything of an unfinished task, never follows a link out', async () => {
    const linksBefore = statSync(INPUT).nlink;
    const objects = { t1: await objectOf(ids.t1!), t2: await objectOf(ids.t2!), t3: await objectOf(ids.t3!) };
    const report = await collectGarbage({ store, workDir: work, objectsDir }, { before: cutoff });
    expect(report.problems).toEqual([]);
    expect({ ...report, problems: [] }).toEqual({ ...dry, dryRun: false, problems: [] });
    // t1: its reused attempt stays (t2's hit came from it), its _inputs and object go.
    expect(readdirSync(join(work, ids.t1!))).toEqual(['count']);
    expect(readFileSync(join(work, ids.t1!, 'count', 'attempt-1', 'n.txt'), 'utf8').trim()).toBe(String(3 * MiB));
    expect(existsSync(objects.t1)).toBe(false);
    // t3: gone whole; the folder its tool linked to is not followed.
    expect(existsSync(join(work, ids.t3!))).toBe(false);
    expect(existsSync(objects.t3)).toBe(false);
    expect(readFileSync(join(OUTSIDE, 'precious.txt'), 'utf8')).toBe('not toolflow\'s\n');
    // t2 and the stalled task: untouched.
    expect(existsSync(join(work, ids.t2!, 'count', 'attempt-1', 'cached-from.txt'))).toBe(true); // a cache hit: it staged nothing
    expect(existsSync(objects.t2)).toBe(true);
    expect(readFileSync(join(work, 'deadbeef0001', 'x', 'attempt-1', 'half.txt'), 'utf8')).toBe('half\n');
    // The user's file stays; only the two removed objects' links went.
    expect(statSync(INPUT).nlink).toBe(linksBefore - 2);
    // The old upload no task names goes; the new one and the upload machinery's folder stay.
    expect(existsSync(join(objectsDir, 'local', '00000000-0000-4000-8000-000000000001'))).toBe(false);
    expect(existsSync(join(objectsDir, 'local', '00000000-0000-4000-8000-000000000002', 'f.txt'))).toBe(true);
    expect(existsSync(join(objectsDir, '_tus', 'local', 'u.info'))).toBe(true);
    // Bytes freed: t3's files (its 1 MiB big.txt among them), not the 3 MiB input (still the
    // user's) nor t1's reused outputs (kept, and also t2's links).
    expect(report.freedBytes).toBeGreaterThanOrEqual(MiB);
    expect(report.freedBytes).toBeLessThan(2 * MiB);
    expect(report.removedFiles).toBeGreaterThan(5);
  });

  it('leaves the checksum of the user\'s file usable: the next run does not read it again', async () => {
    const st = statSync(INPUT);
    const row = await store.getInputChecksum({ host: HOST, dev: String(st.dev), ino: String(st.ino) });
    expect(row?.ctime_ns).toBe(String(statSync(INPUT, { bigint: true }).ctimeNs));
    ids.t4 = await run('w.yaml', '--no-cache');
    expect((await store.getInputChecksum({ host: HOST, dev: String(st.dev), ino: String(st.ino) }))?.hashed_at).toBe(row!.hashed_at);
  });

  it('after everything finished is collected, a cache hit whose files are gone runs the tool again', async () => {
    const all = await collectGarbage({ store, workDir: work, objectsDir }, { before: Date.now() + 1000 });
    expect(all.problems).toEqual([]);
    expect(all.tasks.map((t) => t.taskId).sort()).toEqual([ids.t1, ids.t2, ids.t4].sort());
    expect(existsSync(join(work, 'deadbeef0001'))).toBe(true);
    const ran = readFileSync(RAN, 'utf8').split('\n').filter(Boolean).length;
    const t5 = await run('w.yaml');
    expect(readFileSync(RAN, 'utf8').split('\n').filter(Boolean).length).toBe(ran + 1);
    const explain = await toolflow(['explain', t5, 'count', '--json'], env);
    expect(JSON.parse(explain.stdout)).toMatchObject({ outcome: 'refused' });
    expect(lstatSync(INPUT).isFile()).toBe(true);
  });

  it('drops checksum records of files gone or changed', async () => {
    appendFileSync(INPUT, 'more');
    const report = await collectGarbage({ store, workDir: work, objectsDir }, { before: 0, dryRun: true });
    expect(report.checksumsDropped).toBe(1);
    expect((await collectGarbage({ store, workDir: work, objectsDir }, { before: 0 })).checksumsDropped).toBe(1);
    expect(await store.listInputChecksums(HOST)).toEqual([]);
  });
});
