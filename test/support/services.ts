/**
 * Where the tests find real services, and whether a run may skip one. The only test file that reads
 * `process.env` for services.
 *
 * - `TOOLFLOW_TEST_MYSQL_URL`: a server the tests may create and drop databases on
 *   (default `mysql://root@127.0.0.1:3306`, the MariaDB every machine of this project runs).
 * - `TOOLFLOW_TEST_AMQP_URL`: a RabbitMQ broker (default `amqp://guest:guest@127.0.0.1:5672`).
 * - `TOOLFLOW_TEST_SKIP`: comma-separated services a run may skip (`mysql`, `rabbitmq`, `etcd`), for a laptop without
 *   them. CI never sets it: an unreachable service fails the suite with a message naming it.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect as amqpConnect } from 'amqplib';
import { createConnection } from 'mysql2/promise';
import { amqpNames } from '../../shared/events/amqp-binding.js';
import { maskUrl } from '../../shared/mask-url.js';

export const MYSQL_URL = process.env.TOOLFLOW_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const AMQP_URL = process.env.TOOLFLOW_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const SKIP = new Set((process.env.TOOLFLOW_TEST_SKIP ?? '').split(',').map((s) => s.trim()).filter(Boolean));

/** True when this run was told to skip `service`. */
export function skipped(service: string): boolean {
  return SKIP.has(service);
}

/**
 * Creates a fresh database for one test file.
 * @returns its URL and a function that drops it.
 * @throws Error naming the server when it cannot be reached.
 */
export async function freshMysqlDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `toolflow_t_${randomBytes(4).toString('hex')}`;
  const server = new URL(MYSQL_URL);
  const connect = () =>
    createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username), password: decodeURIComponent(server.password) });
  let admin;
  try {
    admin = await connect();
  } catch (err) {
    throw new Error(`MySQL/MariaDB at ${server.host} is unreachable (${(err as Error).message}); start it, or set TOOLFLOW_TEST_SKIP=mysql to skip its tests`);
  }
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: `${MYSQL_URL.replace(/\/$/, '')}/${name}`,
    async drop() {
      const c = await connect();
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.end();
    },
  };
}

/**
 * Checks that the test broker answers.
 * @throws Error naming the broker when it cannot be reached.
 */
export async function requireRabbitmq(): Promise<void> {
  try {
    const c = await amqpConnect(AMQP_URL);
    await c.close();
  } catch (err) {
    throw new Error(`RabbitMQ at ${maskUrl(AMQP_URL)} is unreachable (${(err as Error).message}); start it (rabbitmq-server -detached), or set TOOLFLOW_TEST_SKIP=rabbitmq to skip its tests`);
  }
}

/** A prefix unique to this test run, for consumer and queue names on the shared broker. */
export function runPrefix(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

/**
 * Deletes what a test run declared under its namespace: every queue named `<namespace>.…` (listed
 * with rabbitmqctl, so task-scoped queues of killed runs go too, rather than waiting for their
 * expiry), the consumers' queues given, and the exchanges.
 */
export async function deleteAmqpNamespace(namespace: string, consumers: string[]): Promise<void> {
  const names = amqpNames(namespace);
  let listed: string[] = [];
  try {
    listed = execFileSync('rabbitmqctl', ['-q', 'list_queues', '--no-table-headers', 'name'], { encoding: 'utf8', timeout: 30_000 })
      .split('\n')
      .map((l) => l.trim())
      .filter((q) => q.startsWith(`${namespace}.`));
  } catch {
    // rabbitmqctl is not on this machine (a remote broker): the named queues below still go.
  }
  const c = await amqpConnect(AMQP_URL);
  const ch = await c.createChannel();
  for (const q of new Set([...listed, ...consumers.map(names.queue), names.deadLetterQueue])) await ch.deleteQueue(q);
  await ch.deleteExchange(names.exchange);
  await ch.deleteExchange(names.deadLetterExchange);
  await c.close();
}
