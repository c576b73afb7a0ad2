/**
 * Embedded mode: every port in one process (SQLite, a local object folder, in-process bus and
 * coordination, local processes), the functions subscribed to the in-process bus, and work managers
 * as in-process objects. The same handlers run here as under Knative or OpenFaaS.
 */
import { pino, type Logger } from 'pino';
import { MemoryCoordination } from '../coordination/memory-coordination.js';
import { EventType, type ToolflowEvent } from '../events/catalog.js';
import { MemoryBus } from '../events/memory-bus.js';
import type { Executor } from '../executor/executor.js';
import { LocalExecutor } from '../executor/local/local-executor.js';
import { enqueue } from '../handlers/enqueue.js';
import type { FunctionDef } from '../handlers/handler.js';
import { handleStatus } from '../handlers/handle-status.js';
import { rerunPolicy } from '../handlers/rerun-policy.js';
import { scheduleTool } from '../handlers/schedule-tool.js';
import { startWorkflow } from '../handlers/start-workflow.js';
import { uploadFile } from '../handlers/upload.js';
import { validateSubmission, type Submission } from '../handlers/validate.js';
import { LocalObjectStore } from '../objects/local-object-store.js';
import { S3ObjectStore } from '../objects/s3-object-store.js';
import { ResourceBudget } from '../scheduler/resources.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { WorkManager } from '../work-manager/work-manager.js';
import type { Config } from './config.js';
import type { Ports } from './ports.js';

/** Every function of the event flow, in flow order. */
export const FUNCTIONS: FunctionDef[] = [enqueue, startWorkflow, scheduleTool, handleStatus, rerunPolicy];

/** Subscribes each function to the bus: its returned events are published in turn. */
export function routeFunctions(ports: Ports, functions: FunctionDef[] = FUNCTIONS): () => void {
  const offs = functions.map((f) =>
    ports.bus.subscribe(f.name, f.consumes, async (event) => {
      const out = await f.handle(event, ports);
      if (out.length) await ports.bus.publish(out);
    }),
  );
  return () => offs.forEach((off) => off());
}

/** A running embedded runtime. */
export interface EmbeddedRuntime {
  ports: Ports;
  /** Uploads an input file for `owner`. */
  upload(owner: string, path: string): ReturnType<typeof uploadFile>;
  /** Validates and submits; resolves with the task id once `task.submitted` is published. @throws SpecError. */
  submit(submission: Submission): Promise<string>;
  /** Resolves with the task's final event, once every event it caused has been handled. */
  waitFor(taskId: string): Promise<ToolflowEvent>;
  /** Cancels a task run by this process; `force` kills its tools at once. */
  cancel(taskId: string, force?: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Builds the ports of embedded mode from configuration. Parts may be replaced (tests pass a fake executor). */
export async function createEmbeddedRuntime(config: Config, parts: { executor?: Executor; store?: Store; log?: Logger } = {}): Promise<EmbeddedRuntime> {
  const log = parts.log ?? pino({ level: config.logLevel, base: { component: 'toolflow' } }, pino.destination(2));
  const store = parts.store ?? (await openStore(config.databasePath));
  if (parts.store) await store.migrate();
  const objects = config.s3 ? new S3ObjectStore(config.s3) : new LocalObjectStore(config.objectsDir);
  const executor =
    parts.executor ??
    new LocalExecutor({
      root: config.workDir,
      objects,
      cpuMillicores: config.cpuMillicores,
      memBytes: config.memBytes,
      keepaliveSeconds: config.keepaliveSeconds,
      memoryLimit: config.memoryLimit,
    });
  const managers = new Map<string, WorkManager>();
  const ports: Ports = {
    store,
    objects,
    bus: new MemoryBus(log),
    coordination: new MemoryCoordination(),
    executor,
    budget: new ResourceBudget(executor.capacity),
    watchdog: { startTimeoutSeconds: config.startTimeoutSeconds, lostAfterSeconds: config.lostAfterSeconds },
    log,
    reports: { sinkFor: (taskId) => (report) => managers.get(taskId)?.receive(report) },
    workManagers: {
      async launch(taskId) {
        if (managers.has(taskId)) return;
        const wm = new WorkManager(taskId, ports);
        managers.set(taskId, wm);
        void wm.done.then(() => managers.delete(taskId));
        await wm.start();
      },
    },
  };
  const unroute = routeFunctions(ports);
  const FINAL = [EventType.taskSucceeded, EventType.taskFailed, EventType.taskCancelled];
  return {
    ports,
    upload: (owner, path) => uploadFile(ports, owner, path),
    async submit(submission) {
      const event = validateSubmission(submission, executor);
      await ports.bus.publish([event]);
      return event.data.taskId;
    },
    waitFor(taskId) {
      return new Promise((resolve) => {
        const off = ports.bus.subscribe(
          `wait/${taskId}`,
          FINAL,
          async (e) => {
            off();
            // Not awaited here: idle() waits for this very handler to return.
            void ports.bus.idle().then(() => resolve(e));
          },
          { taskId },
        );
      });
    },
    async cancel(taskId, force = false) {
      await managers.get(taskId)?.cancel('cancelled by the user', force);
    },
    async close() {
      unroute();
      await executor.close();
      await ports.bus.close();
      await ports.coordination.close();
      await store.close();
    },
  };
}
