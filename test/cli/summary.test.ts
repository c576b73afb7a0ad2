/**
 * The summary of `run` and `status TASK` (issue 10): instances by their names, outputs with their
 * paths and checksums (work dirs locally, object keys in cluster mode), cache hits, cpu warnings,
 * and what `--outdir` published; as JSON and as the table. Tasks are stored rows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { localSource, publishTask } from '../../shared/attempts/publish.js';
import { shellWord } from '../../shared/cli/messages.js';
import { cpuWarnings, publishLines, summarizeTask, summaryJson, summaryTable, withPublished, type ToolSummary } from '../../shared/cli/summary.js';
import { statusCommand } from '../../shared/cli/status-command.js';
import type { ToolSpec } from '../../shared/spec/types.js';
import { openSqliteStore } from '../../shared/store/sqlite-store.js';
import type { KyselyStore } from '../../shared/store/kysely-store.js';
import { newToolRun, type Store, type ToolRunRow } from '../../shared/store/store.js';
import { tempDir } from '../support/tmp.js';

const base = tempDir('toolflow-summary-');
const hex = (c: string) => c.repeat(64);
const resources = (cpuMillicores: number) => ({ cpuMillicores, memBytes: 64e6, diskBytes: null, timeSeconds: null });

/** align[A], align[B] (asked 4 cpu, capped to 2; A a cache hit of an earlier task), then call (gathers them). */
function plan(): Partial<ToolSpec>[] {
  const align = (key: string, index: number) => ({
    name: `align[${key}]`,
    outputs: [`${key}.bam`],
    namedOutputs: { bam: `${key}.bam` },
    rely: [],
    instance: { tool: 'align', input: 'samples', key, index },
    cpuMillicores: 2000,
    requestedCpuMillicores: 4000,
  });
  return [align('A', 0), align('B', 1), { name: 'call', outputs: ['calls.vcf', 'log.txt'], namedOutputs: {}, rely: ['align[A]', 'align[B]'], cpuMillicores: 1000 }];
}

/** Stores task `id` (work root `root`) with its attempts, and writes the outputs into their work dirs. */
async function storeVariants(store: Store, id: string, root: string) {
  const run = (tool: string, fields: Partial<ToolRunRow>, cpu = 2000): ToolRunRow => ({ ...newToolRun(id, tool, 1, resources(cpu)), status: 'succeeded', delivered_at: 1_000, started_at: 1_000, finished_at: 1_500, exit_code: 0, ...fields });
  const files: [string, string, string][] = [
    ['align[A]', 'A.bam', 'bam A'],
    ['align[B]', 'B.bam', 'bam B'],
    ['call', 'calls.vcf', 'vcf'],
    ['call', 'log.txt', 'log'],
  ];
  for (const [tool, path, text] of files) {
    mkdirSync(join(root, id, tool, 'attempt-1'), { recursive: true });
    writeFileSync(join(root, id, tool, 'attempt-1', path), text);
  }
  await store.createTask(
    { id, owner: 'me', name: 'variants', status: 'succeeded', spec: JSON.stringify({ spec: { name: 'variants', description: '', inputs: [], tools: plan() } }), values_json: '{}', inputs_json: '{}', error: null, created_at: 1_000, started_at: 1_000, finished_at: 2_000, work_dir: root },
    [
      run('align[A]', { outputs_json: JSON.stringify([{ path: 'A.bam', bytes: 5, sha256: hex('a') }]), cached_from: 'oldtask00001/align[A]/1', message: "cached: reused the outputs of task oldtask00001's attempt 1" }),
      run('align[B]', { outputs_json: JSON.stringify([{ path: 'B.bam', bytes: 5, sha256: hex('b') }]) }),
      run('call', { outputs_json: JSON.stringify([{ path: 'calls.vcf', bytes: 3, sha256: hex('c') }, { path: 'log.txt', bytes: 3, sha256: hex('d') }]) }, 1000),
    ],
  );
}

let store: KyselyStore;
beforeEach(async () => {
  store = openSqliteStore(':memory:');
  await store.migrate();
});
afterEach(async () => {
  await store.close();
});

describe('the summary of a task with instances', () => {
  it('gives every tool its instance, outputs (absolute paths in the work dir), cache hit and cpu, and the cpu warning for what ran (align[A] is a cache hit)', async () => {
    const root = join(base, 'w1');
    await storeVariants(store, 't1', root);
    const s = await summarizeTask(store, 't1');
    expect(s.tools.map((t) => ({ name: t.name, instance: t.instance, cached: t.cached, outputs: t.outputs, cpu: [t.cpuMillicores, t.requestedCpuMillicores] }))).toEqual([
      {
        name: 'align[A]',
        instance: { tool: 'align', input: 'samples', key: 'A', index: 0 },
        cached: { taskId: 'oldtask00001', tool: 'align[A]', attempt: 1 },
        outputs: [{ name: 'bam', path: join(root, 't1/align[A]/attempt-1/A.bam'), bytes: 5, sha256: hex('a'), published: null }],
        cpu: [2000, 4000],
      },
      {
        name: 'align[B]',
        instance: { tool: 'align', input: 'samples', key: 'B', index: 1 },
        cached: null,
        outputs: [{ name: 'bam', path: join(root, 't1/align[B]/attempt-1/B.bam'), bytes: 5, sha256: hex('b'), published: null }],
        cpu: [2000, 4000],
      },
      {
        name: 'call',
        instance: null,
        cached: null,
        outputs: [
          { name: null, path: join(root, 't1/call/attempt-1/calls.vcf'), bytes: 3, sha256: hex('c'), published: null },
          { name: null, path: join(root, 't1/call/attempt-1/log.txt'), bytes: 3, sha256: hex('d'), published: null },
        ],
        cpu: [1000, null],
      },
    ]);
    expect(s.warnings).toEqual(['align[B] asked for 4 cpu and ran with 2, the most this executor has (TF_CPUS=2)']);
    expect(s.published).toBeNull();
    // The JSON is the summary as it is.
    expect(JSON.parse(summaryJson(s))).toEqual(JSON.parse(JSON.stringify(s)));
  });

  it('gives object keys as output paths in cluster mode', async () => {
    await storeVariants(store, 't2', join(base, 'w2'));
    const s = await summarizeTask(store, 't2', { outputsIn: 'objects' });
    expect(s.tools.flatMap((t) => t.outputs.map((o) => o.path))).toEqual(['attempts/t2/align[A]/attempt-1/A.bam', 'attempts/t2/align[B]/attempt-1/B.bam', 'attempts/t2/call/attempt-1/calls.vcf', 'attempts/t2/call/attempt-1/log.txt']);
  });

  it('as a table: instances by their names, "cached (task …)" in the reason column, the cpu warning under it', async () => {
    await storeVariants(store, 't3', join(base, 'w3'));
    const table = summaryTable(await summarizeTask(store, 't3'));
    const rows = table.split('\n');
    expect(rows.find((l) => l.includes('align[A]'))).toMatch(/│ align\[A\] +│ succeeded +│ 1 +│ 0 +│ cached \(task oldtask00001\) +│/);
    expect(rows.find((l) => l.includes('align[B]'))).toMatch(/│ align\[B\] +│ succeeded +│ 1 +│ 0 +│ - +│/);
    expect(rows.slice(-2)).toEqual(['task t3 (variants): succeeded in 1.00s', 'warning: align[B] asked for 4 cpu and ran with 2, the most this executor has (TF_CPUS=2)']);
  });

  it('with what --outdir published: each output\'s published path, the counts, and the lines under the table', async () => {
    const root = join(base, 'w4');
    await storeVariants(store, 't4', root);
    const outdir = join(base, 'out4');
    const summary = withPublished(await summarizeTask(store, 't4'), await publishTask(store, 't4', { outdir, source: localSource({ id: 't4', work_dir: root }, '/unused') }));
    // No publish in the workflow: the sink's outputs only.
    expect(summary.tools.flatMap((t) => t.outputs.map((o) => [t.name, o.published]))).toEqual([
      ['align[A]', null],
      ['align[B]', null],
      ['call', join(outdir, 'call/calls.vcf')],
      ['call', join(outdir, 'call/log.txt')],
    ]);
    expect(summary.published).toEqual({ outdir, files: 2, how: { link: 2, copy: 0, download: 0, unchanged: 0 }, notPublished: [], errors: [], error: null });
    expect(summaryTable(summary).split('\n').pop()).toBe(`published 2 files to ${outdir} (hard links)`);
  });
});

describe('the lines about publishing', () => {
  const p = { outdir: '/r', files: 3, how: { link: 2, copy: 1, download: 0, unchanged: 0 }, notPublished: [], errors: [], error: null };
  it('count each way a file was placed, and say what a failed task did not publish', () => {
    expect(publishLines(p, 'succeeded')).toEqual(['published 3 files to /r (2 hard links, 1 copy)']);
    expect(publishLines({ ...p, files: 1, how: { link: 0, copy: 0, download: 1, unchanged: 0 } }, 'succeeded')).toEqual(['published 1 file to /r (downloads)']);
    expect(publishLines({ ...p, notPublished: [{ tool: 'call', status: 'failed' }] }, 'failed')).toEqual([
      'published 3 files to /r (2 hard links, 1 copy)',
      'the task failed: only what succeeded was published; not published: call (failed)',
    ]);
    expect(publishLines({ ...p, errors: [{ tool: 'call', path: 'x', message: '/r/call is a symbolic link: refusing to publish through it (remove it)' }] }, 'succeeded')[1]).toBe(
      '  not published: call x: /r/call is a symbolic link: refusing to publish through it (remove it)',
    );
    expect(publishLines({ ...p, error: '--outdir /r is not a folder' }, 'succeeded')).toEqual(['not published to /r: --outdir /r is not a folder']);
  });
});

describe('cpu warnings', () => {
  const t = (name: string, ran: number, asked: number | null, template?: string): ToolSummary =>
    ({ name, cpuMillicores: ran, requestedCpuMillicores: asked, instance: template ? { tool: template, input: 's', key: name, index: 0 } : null }) as ToolSummary;
  it('name one tool, group the instances of a template with the same numbers, and say nothing of a tool that got what it asked', () => {
    expect(cpuWarnings([t('index', 1000, 8000)])).toEqual(['index asked for 8 cpu and ran with 1, the most this executor has (TF_CPUS=1)']);
    expect(cpuWarnings([t('a[1]', 2000, 4000, 'a'), t('a[2]', 2000, 4000, 'a'), t('a[3]', 2000, 4000, 'a'), t('a[4]', 2000, 4000, 'a'), t('b', 2000, 2000), t('c', 2000, null)])).toEqual([
      'a[1], a[2], a[3] and 1 more instance of a asked for 4 cpu and ran with 2, the most this executor has (TF_CPUS=2)',
    ]);
    expect(cpuWarnings([t('half', 500, 1500)])).toEqual(['half asked for 1500m cpu and ran with 500m, the most this executor has (TF_CPUS=1)']);
  });

  it('say nothing of a cache hit: it did not run', () => {
    const hit = { ...t('a[1]', 2000, 4000, 'a'), cached: { taskId: 'f00', tool: 'a[1]', attempt: 1 } } as ToolSummary;
    expect(cpuWarnings([hit, t('a[2]', 2000, 4000, 'a')])).toEqual(['a[2] asked for 4 cpu and ran with 2, the most this executor has (TF_CPUS=2)']);
  });
});

describe('a tool name in a command to paste', () => {
  it('stays as it is when a shell reads it as one word, and is single-quoted otherwise (brackets would glob)', () => {
    expect(shellWord('read_stats')).toBe('read_stats');
    expect(shellWord('align[A]')).toBe("'align[A]'");
    expect(shellWord("it's")).toBe("'it'\\''s'");
  });
});

describe('toolflow status TASK --json', () => {
  it('lists every tool\'s outputs, cache hit and instance from the configured store', async () => {
    const home = join(base, 'home');
    const saved = { ...process.env };
    process.env.TOOLFLOW_HOME = home;
    for (const name of ['TOOLFLOW_DATABASE_URL', 'TOOLFLOW_WORKDIR', 'TOOLFLOW_EXECUTOR', 'TOOLFLOW_AMQP_URL', 'TOOLFLOW_ETCD_ENDPOINTS', 'TOOLFLOW_S3_BUCKET']) delete process.env[name];
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
    try {
      const { openStore } = await import('../../shared/store/open-store.js');
      const { loadConfig } = await import('../../shared/runtime/config.js');
      mkdirSync(home, { recursive: true });
      const db = await openStore(loadConfig(process.env).databasePath);
      await storeVariants(db, 'ts', join(home, 'work'));
      await db.close();
      await statusCommand('ts', { json: true });
      const json = JSON.parse(written.join('')) as { tools: ToolSummary[]; warnings: string[]; driver: string };
      expect(json.tools[0]).toMatchObject({ name: 'align[A]', instance: { tool: 'align', key: 'A' }, cached: { taskId: 'oldtask00001', tool: 'align[A]', attempt: 1 }, outputs: [{ name: 'bam', path: join(home, 'work/ts/align[A]/attempt-1/A.bam'), bytes: 5, sha256: hex('a'), published: null }] });
      expect(json.warnings).toHaveLength(1);
      written.length = 0;
      await statusCommand('ts', {});
      expect(written.join('')).toContain('cached (task oldtask00001)');
    } finally {
      write.mockRestore();
      process.env = saved;
    }
  });
});
