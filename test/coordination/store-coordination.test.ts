import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreCoordination } from '../../shared/coordination/store-coordination.js';
import { openStore } from '../../shared/store/open-store.js';
import type { Store } from '../../shared/store/store.js';
import { freshMysqlDatabase, skipped } from '../support/services.js';
import { tempDir } from '../support/tmp.js';

const log = pino({ level: 'silent' });
const dir = tempDir();
const children: ChildProcessWithoutNullStreams[] = [];
const stores: Store[] = [];
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(stores.map((s) => s.close()));
});

async function open(location: string): Promise<StoreCoordination> {
  const store = await openStore(location);
  stores.push(store);
  return new StoreCoordination(store, { log, what: 'test' });
}

async function until(test: () => boolean, ms = 15_000): Promise<void> {
  for (const t0 = Date.now(); !test(); await new Promise((r) => setTimeout(r, 20))) if (Date.now() - t0 > ms) throw new Error('timed out');
}

/** A lock holder in a child process (built code: `npm test` builds first). */
function holder(database: string, key: string, ttl: number) {
  const child = spawn(process.execPath, [join(import.meta.dirname, '../support/store-lock-holder.mjs'), database, key, String(ttl)]);
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
  return { child, lines, held: () => until(() => lines.some((l) => 'token' in l || 'held' in l)) };
}

describe('store-held locks (another process on the same database)', () => {
  const db = join(dir, 'toolflow.db');

  it('a lock a live process holds is refused, and is free at once when that process is SIGKILLed (no TTL wait)', async () => {
    const c = await open(db);
    const h = holder(db, 'locks/work-manager/t1', 600);
    await h.held();
    expect(h.lines[0]).toHaveProperty('token');
    expect(await c.tryLock('locks/work-manager/t1', 600)).toBeNull();
    const who = await c.lockHolder('locks/work-manager/t1');
    expect(who?.holder).toMatchObject({ pid: h.child.pid, what: 'test holder' });
    h.child.kill('SIGKILL');
    await new Promise((r) => h.child.once('exit', r));
    expect(await c.lockHolder('locks/work-manager/t1')).toBeNull();
    const lease = await c.tryLock('locks/work-manager/t1', 600);
    expect(lease!.token).toBeGreaterThan(h.lines[0]!.token as number);
    await lease!.release();
  });

  it('a holder paused past its TTL loses the lock to another, and learns it when it wakes', async () => {
    const c = await open(db);
    const h = holder(db, 'locks/work-manager/t2', 2);
    await h.held();
    h.child.kill('SIGSTOP');
    let lease = null;
    for (const t0 = Date.now(); !lease && Date.now() - t0 < 15_000; await new Promise((r) => setTimeout(r, 200))) lease = await c.tryLock('locks/work-manager/t2', 10);
    expect(lease).not.toBeNull();
    h.child.kill('SIGCONT');
    await until(() => h.lines.some((l) => 'lost' in l));
    expect(lease!.lost).toBe(false);
    await lease!.release();
  });

  it('renews a held lock past its TTL, and frees it on release', async () => {
    const a = await open(db);
    const b = await open(db);
    const lease = (await a.tryLock('locks/work-manager/t3', 1))!;
    await new Promise((r) => setTimeout(r, 2500));
    expect(lease.lost).toBe(false);
    // b runs in this same (live) process, so only the expiry could free it: it has not expired.
    expect(await b.tryLock('locks/work-manager/t3', 1)).toBeNull();
    await lease.release();
    expect(await b.lockHolder('locks/work-manager/t3')).toBeNull();
    const next = await b.tryLock('locks/work-manager/t3', 1);
    expect(next!.token).toBeGreaterThan(lease.token);
    await next!.release();
  });
});

describe.skipIf(skipped('mysql'))('store-held locks on MySQL', () => {
  it('one holder at a time between two connections; the SIGKILLed holder frees it at once', async () => {
    const { url, drop } = await freshMysqlDatabase();
    try {
      const c = await open(url);
      const h = holder(url, 'locks/work-manager/m1', 600);
      await h.held();
      expect(await c.tryLock('locks/work-manager/m1', 600)).toBeNull();
      h.child.kill('SIGKILL');
      await new Promise((r) => h.child.once('exit', r));
      const lease = await c.tryLock('locks/work-manager/m1', 600);
      expect(lease).not.toBeNull();
      await lease!.release();
    } finally {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await drop();
    }
  });
});
