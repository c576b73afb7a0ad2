/**
 * The ports every handler and the work manager get, from one factory (`embedded.ts` for embedded
 * mode). Handlers never import an adapter.
 */
import type { Logger } from 'pino';
import type { Coordination } from '../coordination/coordination.js';
import type { EventBus } from '../events/bus.js';
import type { Executor, ReportSink } from '../executor/executor.js';
import type { ObjectStore } from '../objects/object-store.js';
import type { ResourceBudget } from '../scheduler/resources.js';
import type { Store } from '../store/store.js';

/** Timing of the work manager's watchdog, seconds (design doc: keepalive every 30 s, start within 2 min). */
export interface WatchdogConfig {
  /** A tool with no Start report this long after delivery is `undelivered`. */
  startTimeoutSeconds: number;
  /** A running tool with no report this long is `lost`. */
  lostAfterSeconds: number;
}

/** Starts a work manager for a task (in-process object, child process, or Kubernetes Job). */
export interface WorkManagerLauncher {
  launch(taskId: string): Promise<void>;
}

/** Routes sidecar/executor reports to the work manager of a task. */
export interface ReportRouter {
  sinkFor(taskId: string): ReportSink;
}

/** Everything a handler may use. */
export interface Ports {
  store: Store;
  objects: ObjectStore;
  bus: EventBus;
  coordination: Coordination;
  executor: Executor;
  budget: ResourceBudget;
  reports: ReportRouter;
  workManagers: WorkManagerLauncher;
  watchdog: WatchdogConfig;
  log: Logger;
}
