/**
 * Cluster mode end to end on the local Kubernetes API: reads-qc submitted with `toolflow run`
 * (which runs the functions), its work manager a Job whose Pod runs `toolflow work-manager`, each
 * tool a Job with a native sidecar reporting over gRPC, inputs and outputs through S3. Every row
 * and every event of the task is checked.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { connect as amqpConnect, type GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import { EtcdCoordination } from '../../shared/coordination/etcd-coordination.js';
import { amqpNames, fromMessage } from '../../shared/events/amqp-binding.js';
import { EventType, type ToolflowEvent } from '../../shared/events/catalog.js';
import type { UploadDoc } from '../../shared/uploads/upload-doc.js';
import { BIN } from '../support/cli.js';
import { startClusterStack, type ClusterStack } from '../support/cluster-stack.js';
import { AMQP_URL, skipped } from '../support/services.js';

const exec = promisify(execFile);
const EXAMPLES = join(import.meta.dirname, '../../examples');
const all = !skipped('mysql') && !skipped('rabbitmq') && !skipped('etcd');
const TOOLS = ['read_stats', 'gc_content', 'length_histogram', 'quality_filter', 'filtered_stats', 'compress', 'report'];

describe.skipIf(!all)('cluster mode end to end on the local Kubernetes API', () => {
  let stack: ClusterStack;
  beforeAll(async () => {
    stack = await startClusterStack(inject('etcdEndpoints'));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('runs reads-qc: a work-manager Job, one Job per tool with its sidecar, outputs through S3; every row and event', async () => {
    const names = amqpNames(stack.env.TOOLFLOW_NAMESPACE!);
    let conn = await amqpConnect(AMQP_URL);
    let ch = await conn.createChannel();
    await ch.assertExchange(names.exchange, 'topic', { durable: true });
    await ch.assertQueue(names.queue('recorder'), { durable: true });
    await ch.bindQueue(names.queue('recorder'), names.exchange, '#');
    await conn.close();

    const reads = join(EXAMPLES, 'reads-qc/data/reads.fastq');
    const { stdout } = await exec('node', [BIN, 'run', join(EXAMPLES, 'reads-qc/workflow.yaml'), '--input', `reads=${reads}`, '--json'], { env: stack.env, timeout: 120_000 }).catch((err: Error & { stderr?: string }) => {
      throw new Error(`${err.message}\n${err.stderr}\n${stack.dump()}`);
    });
    const result = JSON.parse(stdout) as { taskId: string; status: string };
    expect(result.status).toBe('succeeded');
    const taskId = result.taskId;

    // Kubernetes: the work-manager Job and its Service, one Job per tool, owned by the work manager's.
    // The work manager's process exits once the task has ended, and its Job completes after that.
    const ours = () => stack.kube.jobs('toolflow').filter((j) => j.metadata!.labels?.['toolflow.io/task'] === taskId);
    const jobs = await stack.kube.waitFor(() => (ours().every((j) => j.status?.succeeded === 1) ? ours() : undefined), 30_000, 'every Job of the task complete');
    const wm = jobs.find((j) => j.metadata!.name === `tf-${taskId}-wm`)!;
    expect(wm.status?.succeeded).toBe(1);
    expect(stack.kube.get('Service', `tf-${taskId}-wm`, 'toolflow')).toBeDefined();
    const toolJobs = jobs.filter((j) => j.metadata!.labels?.['toolflow.io/role'] === 'tool' && j.metadata!.labels?.['toolflow.io/task'] === taskId);
    expect(toolJobs).toHaveLength(TOOLS.length);
    for (const j of toolJobs) {
      expect(j.metadata!.ownerReferences).toEqual([expect.objectContaining({ kind: 'Job', name: wm.metadata!.name, uid: wm.metadata!.uid })]);
      expect(j.status?.succeeded).toBe(1);
    }

    // The store: the task, and each tool once, with its Job name, times and exit code.
    const store = await stack.store();
    try {
      const task = (await store.getTask(taskId))!;
      expect(task).toMatchObject({ status: 'succeeded', owner: 'ann', error: null });
      const runs = await store.listToolRuns(taskId);
      expect(runs.map((r) => r.tool).sort()).toEqual([...TOOLS].sort());
      for (const r of runs) {
        expect(r).toMatchObject({ attempt: 1, status: 'succeeded', exit_code: 0, reason: null, evidence: null });
        expect(toolJobs.map((j) => j.metadata!.name)).toContain(r.job_name);
        expect(Number(r.delivered_at)).toBeLessThanOrEqual(Number(r.started_at));
        expect(Number(r.started_at)).toBeLessThanOrEqual(Number(r.finished_at));
        expect(r.peak_mem_bytes === null || Number(r.peak_mem_bytes) > 0).toBe(true);
      }
    } finally {
      await store.close();
    }

    // S3: the input, each tool's declared outputs and logs under attempts/<task>/<tool>/attempt-1/.
    const keys = await stack.s3Keys(`attempts/${taskId}/`);
    for (const tool of TOOLS) {
      expect(keys).toContain(`attempts/${taskId}/${tool}/attempt-1/stderr.log`);
      expect(keys).toContain(`attempts/${taskId}/${tool}/attempt-1/stdout.log`);
    }
    expect(keys).toContain(`attempts/${taskId}/read_stats/attempt-1/stats.tsv`);
    const [input, ...more] = await stack.s3Keys('ann/');
    expect([input, more]).toEqual([expect.stringMatching(/^ann\/[0-9a-f-]{36}\/reads\.fastq$/), []]);
    // Its upload (tus over S3 multipart) is complete: its document successful, no multipart upload left open.
    expect(await stack.bucket.openUploads()).toEqual([]);
    const etcd = await EtcdCoordination.connect({ endpoints: inject('etcdEndpoints'), namespace: stack.env.TOOLFLOW_NAMESPACE!, log: pino({ level: 'silent' }) });
    try {
      expect(await etcd.get<UploadDoc>(`uploads/ann/${input!.split('/')[1]}`)).toMatchObject({ status: 'successful', owner: 'ann', key: input, size: statSync(reads).size });
    } finally {
      await etcd.close();
    }

    // The events, as they went over the exchange.
    conn = await amqpConnect(AMQP_URL);
    ch = await conn.createChannel();
    const events: ToolflowEvent[] = [];
    for (let msg: GetMessage | false; (msg = await ch.get(names.queue('recorder'), { noAck: true })); ) events.push(fromMessage(msg));
    await ch.deleteQueue(names.queue('recorder'));
    await conn.close();
    const mine = events.filter((e) => (e.data as { taskId?: string }).taskId === taskId);
    const count = (type: string) => mine.filter((e) => e.type === type).length;
    for (const type of [EventType.taskSubmitted, EventType.taskQueued, EventType.taskStarted, EventType.taskSucceeded]) expect(count(type), type).toBe(1);
    for (const type of [EventType.toolReady, EventType.toolStarted, EventType.toolExited, EventType.toolSucceeded]) expect(count(type), type).toBe(TOOLS.length);
    for (const type of [EventType.toolAttemptFailed, EventType.toolRetrying, EventType.toolFailed, EventType.toolSkipped, EventType.toolCancelled, EventType.taskFailed]) expect(count(type), type).toBe(0);
    // The work manager's events carry its fencing token; each tool's exit names the sidecar's report.
    expect(mine.filter((e) => e.source === '/toolflow/work-manager').every((e) => e.fencetoken !== undefined)).toBe(true);
    for (const e of mine.filter((x) => x.type === EventType.toolExited)) expect(e.data).toMatchObject({ exitCode: 0, oomKilled: false, missingOutputs: [] });
  }, 180_000);
});
