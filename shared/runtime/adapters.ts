/**
 * The one factory that turns configuration into adapters: each backend is embedded unless its
 * variable is set (docs/architecture.md, "One event flow, three ways to host it"). Every service is checked at start-up, so
 * an unreachable one is one clear error naming it and its URL (credentials masked), and nothing
 * opened before it is left open.
 *
 * A service's adapter module (and its client: amqplib, etcd3, mysql2, @aws-sdk) is imported only
 * when its variable is set, so embedded mode never loads them (start-up cost, issue 8 §6): keep
 * those imports dynamic (`await import(…)`) and their types `import type`.
 */
import type { Logger } from 'pino';
import type { Coordination } from '../coordination/coordination.js';
import { StoreCoordination } from '../coordination/store-coordination.js';
import type { EventBus } from '../events/bus.js';
import { MemoryBus } from '../events/memory-bus.js';
import { validatingBus } from '../events/validating-bus.js';
import { LocalObjectStore } from '../objects/local-object-store.js';
import type { ObjectStore } from '../objects/object-store.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { maskUrl } from '../mask-url.js';
import type { Config } from './config.js';

/** The four backends. */
export interface Adapters {
  store: Store;
  objects: ObjectStore;
  bus: EventBus;
  coordination: Coordination;
  /** `embedded` when every backend is in-process, `services` when any is a server. */
  mode: 'embedded' | 'services';
}

/**
 * Opens the configured adapters; `given` ones (tests) are used as they are.
 * @throws ServiceUnavailableError or ConfigError naming the first backend that cannot be used.
 */
export async function openAdapters(config: Config, log: Logger, given: Partial<Adapters> = {}): Promise<Adapters> {
  const opened: { close(): Promise<void> }[] = [];
  try {
    const store = given.store ?? (await openStore(config.databasePath));
    if (!given.store) opened.push(store);
    let objects = given.objects;
    if (!objects) {
      if (config.s3) {
        const { S3ObjectStore } = await import('../objects/s3-object-store.js');
        const s3 = new S3ObjectStore(config.s3);
        opened.push(s3);
        await s3.check();
        objects = s3;
      } else objects = new LocalObjectStore(config.objectsDir);
    }
    let coordination = given.coordination;
    if (!coordination) {
      coordination = await openCoordination(config, store, log);
      opened.push(coordination);
    }
    const bus = given.bus ?? (config.amqpUrl ? await (await import('../events/amqp-bus.js')).AmqpBus.connect({ url: config.amqpUrl, namespace: config.namespace, log }) : new MemoryBus(log));
    const services = !!(config.amqpUrl || config.etcdEndpoints || config.s3 || /^mysql:/i.test(config.databasePath));
    // Every event published through this bus is validated first (validating-bus.ts): one place for every producer.
    return { store, objects, bus: validatingBus(bus), coordination, mode: services ? 'services' : 'embedded' };
  } catch (err) {
    await Promise.allSettled(opened.map((o) => o.close()));
    throw err;
  }
}

/**
 * Opens the configured coordination: etcd when `TOOLFLOW_ETCD_ENDPOINTS` is set; otherwise locks
 * live in the database every process shares (`store`), so another process (a second `toolflow` on
 * this machine, or a peer on the same MySQL) sees them.
 * @throws ServiceUnavailableError naming etcd when it does not answer.
 */
export async function openCoordination(config: Config, store: Store, log: Logger): Promise<Coordination> {
  if (!config.etcdEndpoints) return new StoreCoordination(store, { log });
  const { EtcdCoordination } = await import('../coordination/etcd-coordination.js');
  return EtcdCoordination.connect({ endpoints: config.etcdEndpoints, namespace: config.namespace, log });
}

/** One line saying which backend serves each port (URLs masked), for people: `store MySQL at …, bus RabbitMQ at …`. */
export function describeBackends(config: Config): string {
  const mysql = /^mysql:/i.test(config.databasePath);
  return [
    mysql ? `store MySQL at ${maskUrl(config.databasePath)}` : `store SQLite ${config.databasePath}`,
    config.amqpUrl ? `bus RabbitMQ at ${maskUrl(config.amqpUrl)} (namespace ${config.namespace})` : 'bus in-process',
    config.etcdEndpoints ? `locks etcd at ${maskUrl(config.etcdEndpoints)}` : 'locks in the store',
    config.s3 ? `objects S3 bucket ${config.s3.bucket}${config.s3.endpoint ? ` at ${maskUrl(config.s3.endpoint)}` : ''}` : `objects ${config.objectsDir}`,
  ].join(', ');
}
