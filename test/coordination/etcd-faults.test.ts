import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EtcdCoordination } from '../../shared/coordination/etcd-coordination.js';
import { AbortedError, ConfigError, ServiceUnavailableError } from '../../shared/errors.js';
import { startEtcd } from '../support/etcd-server.js';
import { skipped } from '../support/services.js';
import { startStallingProxy, type StallingProxy } from '../support/stalling-proxy.js';

/** Faults of the etcd adapter: an etcd that stops answering while a lock is taken, and one with authentication on. */
const log = pino({ level: 'silent' });
const run = randomBytes(4).toString('hex');
const opened: EtcdCoordination[] = [];
const open = async (endpoints: string, extra: Partial<Parameters<typeof EtcdCoordination.connect>[0]> = {}) => {
  const c = await EtcdCoordination.connect({ endpoints, log, ...extra });
  opened.push(c);
  return c;
};
afterAll(async () => {
  await Promise.allSettled(opened.map((c) => c.close()));
});

describe.skipIf(skipped('etcd'))('etcd that stops answering while a lock is taken', () => {
  const shared = new URL(inject('etcdEndpoints'));
  let proxy: StallingProxy;
  beforeAll(async () => {
    proxy = await startStallingProxy(shared.hostname, Number(shared.port));
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('gives up on tryLock at its deadline, naming etcd, and leaves the lock free', async () => {
    const c = await open(`http://127.0.0.1:${proxy.port}`, { lockTimeoutMs: 1000, callTimeoutMs: 60_000 });
    const key = `locks/task/${run}-deadline`;
    proxy.hang = true;
    try {
      const err = await c.tryLock(key, 5).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceUnavailableError);
      expect((err as Error).message).toBe(`etcd at http://127.0.0.1:${proxy.port} did not answer within 1000 ms while taking the lock ${key}`);
    } finally {
      proxy.hang = false;
    }
    // The attempt given up on is not left holding the lock: another client takes it.
    const other = await open(inject('etcdEndpoints'));
    let lease = null;
    for (let i = 0; i < 100 && !lease; i++) {
      lease = await other.tryLock(key, 5);
      if (!lease) await new Promise((r) => setTimeout(r, 100));
    }
    expect(lease).not.toBeNull();
    await lease!.release();
  });

  it('stops waiting for the lock at once when its signal aborts (Ctrl-C), whatever the deadlines', async () => {
    const c = await open(`http://127.0.0.1:${proxy.port}`, { lockTimeoutMs: 600_000, callTimeoutMs: 600_000 });
    const key = `locks/task/${run}-abort`;
    proxy.hang = true;
    const stop = new AbortController();
    try {
      const waiting = c.tryLock(key, 5, { signal: stop.signal });
      setTimeout(() => stop.abort(), 200);
      const err = await waiting.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AbortedError);
      expect((err as Error).message).toBe(`stopped waiting for etcd at http://127.0.0.1:${proxy.port} to take the lock ${key}`);
      await expect(c.tryLock(key, 5, { signal: stop.signal })).rejects.toBeInstanceOf(AbortedError);
    } finally {
      proxy.hang = false;
    }
  });
});

describe.skipIf(skipped('etcd'))('etcd with authentication on', () => {
  let etcd: Awaited<ReturnType<typeof startEtcd>>;
  let host: string;
  beforeAll(async () => {
    etcd = await startEtcd();
    host = new URL(etcd.endpoint).host;
    const admin = new Etcd3({ hosts: etcd.endpoint });
    await admin.role('root').create();
    await admin.user('root').create('r00t-pw-91c');
    await admin.user('root').addRole('root');
    await admin.user('norole').create('n0role-pw-7d2'); // a user whose role grants no key
    await admin.auth.authEnable();
    admin.close();
  });
  afterAll(async () => {
    await etcd?.stop();
  });

  it.each([
    ['a wrong password', 'root:wrong-pw-5e1', /^etcd at http:\/\/root:\*\*\*@HOST refused the credentials: 3 INVALID_ARGUMENT: etcdserver: authentication failed, invalid user ID or password; check the user name and password in TOOLFLOW_ETCD_ENDPOINTS/],
    ['an unknown user', 'nobody:wrong-pw-5e1', /^etcd at http:\/\/nobody:\*\*\*@HOST refused the credentials: .*authentication failed/],
    ['no user at all', '', /^etcd at http:\/\/HOST refused the credentials: .*user name is empty; etcd has authentication on: give a user in TOOLFLOW_ETCD_ENDPOINTS/],
    ['a user without access to the keys', 'norole:n0role-pw-7d2', /^etcd at http:\/\/norole:\*\*\*@HOST refused access to the keys under toolflow\/: 7 PERMISSION_DENIED: etcdserver: permission denied; grant the user's role readwrite on that prefix/],
  ])('says etcd refused %s (not "unreachable"), the password never shown', async (_what, userinfo, message) => {
    const endpoint = `http://${userinfo ? `${userinfo}@` : ''}${host}`;
    const err = await EtcdCoordination.connect({ endpoints: endpoint, log, callTimeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(new RegExp(message.source.replace('HOST', host.replace(/\./g, '\\.'))));
    expect((err as Error).message).not.toMatch(/wrong-pw-5e1|n0role-pw-7d2|unreachable/);
  });

  it('works with the right credentials', async () => {
    const c = await open(`http://root:r00t-pw-91c@${host}`);
    const lease = await c.tryLock(`locks/task/${run}-auth`, 5);
    expect(lease).not.toBeNull();
    await lease!.release();
  });
});
