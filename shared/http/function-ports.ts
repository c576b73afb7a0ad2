/**
 * The ports of a process that runs one shared function over HTTP (`toolflow function NAME`, a
 * Knative Service, an OpenFaaS function): the configured store, objects and coordination
 * (`openAdapters`), the events it causes going to RabbitMQ or, when `K_SINK` is set, to that URL.
 * Such a process hosts no task: it has no executor (only the capacity the rerun policy and the
 * validation caps use: `TOOLFLOW_CPUS` / `TOOLFLOW_MEMORY`, else this machine's), no work managers and
 * no report routing; a task-host function needs those, and runs in `toolflow dev`, except in
 * cluster mode (`TOOLFLOW_EXECUTOR=kubernetes`): there the process gets the Kubernetes executor, the
 * work-manager launcher and gRPC report routing (`runtime/cluster-parts.ts`), and any function runs on its own.
 */
import { availableParallelism, totalmem } from 'node:os';
import type { Logger } from 'pino';
import { ConfigError } from '../errors.js';
import type { EventBus } from '../events/bus.js';
import type { Executor } from '../executor/executor.js';
import { openAdapters } from '../runtime/adapters.js';
import type { Config } from '../runtime/config.js';
import type { Ports } from '../runtime/ports.js';
import { ResourceBudget } from '../scheduler/resources.js';
import { SinkBus } from './sink-bus.js';

/** Ports with a way to close them. */
export interface FunctionPorts extends Ports {
  close(): Promise<void>;
}

const NO_HOST = 'runs in a process that hosts tasks (work managers, executor): run it in `toolflow dev` for now';

/**
 * The executor of a process that runs no tool: its capacity (the largest attempt the executor of
 * the tasks' hosts takes: configured, else this machine's), and every other method refusing.
 */
export function capacityOnlyExecutor(config: Pick<Config, 'cpuMillicores' | 'memBytes'>): Executor {
  const refuse = (what: string) => () => Promise.reject(new ConfigError(`${what}: this function process has no executor; the function that ${what} ${NO_HOST}`));
  return {
    capacity: { cpuMillicores: config.cpuMillicores ?? availableParallelism() * 1000, memBytes: config.memBytes ?? totalmem(), diskBytes: null },
    start: refuse('starts attempts'),
    cancel: refuse('cancels attempts'),
    stopLeftover: refuse('stops leftover attempts'),
    workDirOf: () => {
      throw new ConfigError(`this function process has no executor, so no work dirs; ${NO_HOST}`);
    },
    close: () => Promise.resolve(),
  };
}

/** The bus of a request/response function (upload, validate): it publishes nothing, and refuses to. */
export function noBus(name: string): EventBus {
  const refuse = () => {
    throw new ConfigError(`function ${name} answers its caller and publishes no event`);
  };
  return { publish: () => Promise.reject(new ConfigError(`function ${name} answers its caller and publishes no event`)), subscribe: refuse, onDeadLetter: () => () => undefined, idle: async () => {}, close: async () => {} };
}

/**
 * Opens the ports of function `name`. `publishes: false` (request/response functions) opens no bus.
 * @throws ConfigError when the events an event function causes would have nowhere to go (neither
 *   `TOOLFLOW_AMQP_URL` nor `K_SINK` set: in embedded mode, functions run inside `toolflow dev`);
 *   ServiceUnavailableError or ConfigError naming a backend that cannot be used.
 */
export async function openFunctionPorts(name: string, config: Config, log: Logger, options: { publishes?: boolean } = {}): Promise<FunctionPorts> {
  const publishes = options.publishes ?? true;
  if (publishes && !config.amqpUrl && !config.sinkUrl) {
    throw new ConfigError(
      `function ${name} publishes the events it causes to RabbitMQ or to K_SINK: set TOOLFLOW_AMQP_URL (with TOOLFLOW_DATABASE_URL=mysql://…) or K_SINK; in embedded mode, the functions run inside \`toolflow dev\``,
    );
  }
  const bus = !publishes ? noBus(name) : config.sinkUrl ? new SinkBus(config.sinkUrl, log) : undefined;
  const adapters = await openAdapters(config, log, bus ? { bus } : {});
  const { store, objects, coordination } = adapters;
  // Cluster mode: attempts and work managers are Kubernetes Jobs this process may create, and
  // reports go to a task's work manager over gRPC.
  const cluster = config.kubernetes ? await (await import('../runtime/cluster-parts.js')).openClusterParts(config.kubernetes, objects, log) : undefined;
  const executor = cluster?.executor ?? capacityOnlyExecutor(config);
  return {
    store,
    objects,
    bus: adapters.bus,
    coordination,
    executor,
    budget: new ResourceBudget(executor.capacity),
    watchdog: { startTimeoutSeconds: config.startTimeoutSeconds, lostAfterSeconds: config.lostAfterSeconds },
    log,
    reports: {
      sinkFor: (taskId) => {
        if (cluster) return cluster.remoteReports(taskId);
        throw new ConfigError(`tool reports go to the work manager of a task's host; ${NO_HOST}`);
      },
    },
    workManagers: cluster?.workManagers ?? { launch: () => Promise.reject(new ConfigError(`work managers are launched by start-workflow, which ${NO_HOST}`)) },
    async close() {
      cluster?.close();
      await executor.close();
      await Promise.allSettled([adapters.bus.close(), coordination.close()]);
      await objects.close?.();
      await store.close();
    },
  };
}
