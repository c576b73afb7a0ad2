/**
 * Credentials of this test's own on the real services, so a services-mode run uses secrets no
 * other test uses and a grep for them finds only what this run wrote:
 *
 * - MariaDB: a user with a random password, granted the test's fresh database only;
 * - RabbitMQ: a user with a random password on vhost `/` (rabbitmqctl add_user, set_permissions);
 * - etcd: an etcd of its own (`support/etcd-server.ts`) with authentication on, user root with a
 *   random password (so the endpoint URL carries the password, as TOOLFLOW_ETCD_ENDPOINTS does);
 * - radosgw: an S3 user with random keys on the run's radosgw (`radosgw-admin user create`, with
 *   the server's own ceph.conf), and a bucket it owns.
 *
 * Each `remove()` takes away what it made.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Etcd3 } from 'etcd3';
import { createConnection } from 'mysql2/promise';
import { startEtcd } from '../support/etcd-server.js';
import { rgwBucket, type Rgw, type RgwBucket } from '../support/rgw.js';
import { AMQP_URL, MYSQL_URL } from '../support/services.js';

const exec = promisify(execFile);

/** A random secret, recognisable in a failure message: `<prefix>-<24 hex>`. */
export const secret = (prefix: string): string => `${prefix}-${randomBytes(12).toString('hex')}`;

/** A MariaDB user with a password, granted only `database` (a database of `MYSQL_URL`'s server). @returns its URL for `database`. */
export async function mariadbUser(database: string): Promise<{ url: string; password: string; remove(): Promise<void> }> {
  const server = new URL(MYSQL_URL);
  const user = `tf_logs_${randomBytes(3).toString('hex')}`;
  const password = secret('mdbpw');
  const admin = () => createConnection({ host: server.hostname, port: Number(server.port || 3306), user: decodeURIComponent(server.username), password: decodeURIComponent(server.password) });
  const c = await admin();
  // Both host forms: a TCP login from 127.0.0.1 is matched as localhost or as 127.0.0.1, by the server's settings.
  for (const host of ['%', 'localhost', '127.0.0.1']) {
    await c.query('CREATE USER ?@? IDENTIFIED BY ?', [user, host, password]);
    await c.query(`GRANT ALL PRIVILEGES ON \`${database}\`.* TO ?@?`, [user, host]);
  }
  await c.end();
  return {
    url: `mysql://${user}:${password}@${server.host}/${database}`,
    password,
    async remove() {
      const a = await admin();
      for (const host of ['%', 'localhost', '127.0.0.1']) await a.query('DROP USER IF EXISTS ?@?', [user, host]);
      await a.end();
    },
  };
}

/** A RabbitMQ user with a password and every permission on vhost `/` of the test broker. @returns its URL. */
export async function rabbitmqUser(): Promise<{ url: string; password: string; remove(): Promise<void> }> {
  const user = `tf-logs-${randomBytes(3).toString('hex')}`;
  const password = secret('amqppw');
  await exec('rabbitmqctl', ['-q', 'add_user', user, password], { timeout: 30_000 });
  await exec('rabbitmqctl', ['-q', 'set_permissions', '-p', '/', user, '.*', '.*', '.*'], { timeout: 30_000 });
  const base = new URL(AMQP_URL);
  return {
    url: `amqp://${user}:${password}@${base.host}`,
    password,
    async remove() {
      await exec('rabbitmqctl', ['-q', 'delete_user', user], { timeout: 30_000 }).catch(() => undefined);
    },
  };
}

/** An etcd of its own with authentication on (user root, a random password). @returns the endpoint with the credentials in it. */
export async function etcdWithPassword(): Promise<{ endpoints: string; password: string; remove(): Promise<void> }> {
  const etcd = await startEtcd();
  const password = secret('etcdpw');
  const admin = new Etcd3({ hosts: etcd.endpoint });
  try {
    await admin.role('root').create();
    await admin.user('root').create(password);
    await admin.user('root').addRole('root');
    await admin.auth.authEnable();
  } finally {
    admin.close();
  }
  const url = new URL(etcd.endpoint);
  return { endpoints: `http://root:${password}@${url.host}`, password, remove: () => etcd.stop() };
}

/** An S3 user of its own on `rgw` (random keys) and a bucket it owns. */
export async function rgwUserBucket(rgw: Rgw, bucketName: string): Promise<{ rgw: Rgw; bucket: RgwBucket; remove(): Promise<void> }> {
  const uid = `tf-logs-${randomBytes(3).toString('hex')}`;
  const accessKeyId = `AK${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = secret('s3sk');
  const admin = ['-c', join(rgw.dir, 'ceph.conf'), '-n', 'client.admin'];
  await exec('radosgw-admin', [...admin, 'user', 'create', '--uid', uid, '--display-name', uid, '--access-key', accessKeyId, '--secret-key', secretAccessKey], { timeout: 60_000 });
  const own: Rgw = { ...rgw, accessKeyId, secretAccessKey };
  const bucket = await rgwBucket(own, bucketName);
  return {
    rgw: own,
    bucket,
    async remove() {
      await bucket.remove().catch(() => undefined);
      await exec('radosgw-admin', [...admin, 'user', 'rm', '--uid', uid, '--purge-data'], { timeout: 60_000 }).catch(() => undefined);
    },
  };
}
