/**
 * Coordination over etcd (services mode), with the etcd3 client. Every key lives under `<namespace>/`
 * (default `toolflow/`).
 *
 * A lock is a key attached to a lease with a TTL, created only if absent (one transaction:
 * `Create(key) == 0 → put key with lease`); it is a try-lock, as the design doc's "ignore if another
 * backend is already processing the task" wants. The etcd3 client keeps the lease alive while the
 * process runs; when keepalives stop reaching etcd for longer than the TTL, the lease is lost, its
 * holder is told (`onLost`), and another process can take the lock. The revision at which the lock
 * key was created is the fencing token: a fenced put is a transaction that compares the lock key's
 * create revision with the token, so a holder whose lease expired (paused, cut off) changes nothing.
 *
 * etcd's smallest TTL is effectively 2 s (infra notes), so shorter TTLs are raised to 2.
 *
 * Failures are named for what they are: etcd that does not answer is `unreachable` (or `failed to
 * …`, ServiceUnavailableError, retried by the bus); etcd that refuses the user name or password, or
 * lets the user in but not to the keys, says so (ConfigError: no retry cures it), the password never
 * shown. A `tryLock` is bounded as a whole (`lockTimeoutMs`) and stops at once when its caller's
 * signal aborts, whatever etcd does meanwhile.
 */
import { EtcdAuthenticationFailedError, EtcdInvalidAuthTokenError, EtcdPermissionDeniedError, EtcdUserNotFoundError, Etcd3, GRPCUnauthenticatedError, Range, type Lease as EtcdLease, type Namespace, type Watcher } from 'etcd3';
import type { Logger } from 'pino';
import { AbortedError, ConfigError, LeaseLostError, ServiceUnavailableError } from '../errors.js';
import { maskUrl } from '../mask-url.js';
import { currentProcess, parseIdentity } from '../process-identity.js';
import type { Coordination, Lease, LockHolder } from './coordination.js';

/** Options of the etcd adapter. */
export interface EtcdCoordinationOptions {
  /** Comma-separated endpoints, `http://127.0.0.1:2379,…`. */
  endpoints: string;
  log: Logger;
  /** Key prefix, without the `/`. Default `toolflow`. */
  namespace?: string;
  /** Deadline of each call, ms. Default 5,000. */
  callTimeoutMs?: number;
  /** Deadline of a whole `tryLock` (lease grant and transaction, with the client's retries), ms. Default 10,000. */
  lockTimeoutMs?: number;
}

/** What `tryLock` takes besides the key and TTL. */
export interface TryLockOptions {
  /** Stops the attempt at once (Ctrl-C): `tryLock` rejects with AbortedError naming etcd. */
  signal?: AbortSignal;
}

/** The gRPC client's text without its trailing "Resolution note:". */
function etcdText(err: unknown): string {
  return String((err as Error)?.message ?? err).replace(/\s*Resolution note:\s*$/, '');
}

/**
 * The error for a failed etcd call: ConfigError when etcd refused the credentials or the access
 * (etcd3's EtcdAuthenticationFailedError, EtcdUserNotFoundError, EtcdInvalidAuthTokenError, gRPC
 * UNAUTHENTICATED, "user name is empty" for a server with auth on and no user given;
 * EtcdPermissionDeniedError for a user whose role does not cover the keys), else
 * ServiceUnavailableError `etcd at … <doing>: …`.
 * @param where `etcd at <endpoints>` (credentials masked).
 */
function etcdError(where: string, doing: string, err: unknown, namespace: string): Error {
  const text = etcdText(err);
  if (err instanceof EtcdAuthenticationFailedError || err instanceof EtcdUserNotFoundError || err instanceof EtcdInvalidAuthTokenError || err instanceof GRPCUnauthenticatedError) {
    return Object.assign(new ConfigError(`${where} refused the credentials: ${text}; check the user name and password in TOOLFLOW_ETCD_ENDPOINTS (http://user:password@host:2379, percent-encoded)`), { cause: err });
  }
  if (/user name is empty/i.test(text)) {
    return Object.assign(new ConfigError(`${where} refused the credentials: ${text}; etcd has authentication on: give a user in TOOLFLOW_ETCD_ENDPOINTS (http://user:password@host:2379)`), { cause: err });
  }
  if (err instanceof EtcdPermissionDeniedError) {
    return Object.assign(new ConfigError(`${where} refused access to the keys under ${namespace}/: ${text}; grant the user's role readwrite on that prefix`), { cause: err });
  }
  return new ServiceUnavailableError(`${where} ${doing}: ${text}`, { cause: err });
}

/** Keys read per request by `list` (upload documents are about 1 KB: a page stays well under gRPC's 4 MiB). */
const LIST_PAGE = 500;

/** The etcd adapter of the coordination port. Create it with `EtcdCoordination.connect`. */
export class EtcdCoordination implements Coordination {
  private readonly kv: Namespace;
  private readonly leases = new Set<EtcdLease>();
  private readonly watchers = new Set<Promise<Watcher | undefined>>();

  private constructor(
    private readonly client: Etcd3,
    private readonly options: EtcdCoordinationOptions,
  ) {
    this.kv = client.namespace(`${options.namespace ?? 'toolflow'}/`);
  }

  /**
   * Connects and checks that etcd answers.
   * @throws ServiceUnavailableError naming the endpoints (credentials masked) when it does not.
   */
  static async connect(options: EtcdCoordinationOptions): Promise<EtcdCoordination> {
    const timeout = options.callTimeoutMs ?? 5_000;
    // Credentials in an endpoint (`http://user:password@host:2379`) become etcd's password auth;
    // the gRPC client gets bare hosts, so the password never appears in its messages.
    let auth: { username: string; password: string } | undefined;
    const hosts = options.endpoints
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean)
      .map((h) => {
        const url = new URL(h);
        if (url.username) auth = { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
        return `${url.protocol}//${url.host}`;
      });
    const client = new Etcd3({
      hosts,
      ...(auth ? { auth } : {}),
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    });
    const coordination = new EtcdCoordination(client, options);
    try {
      await coordination.kv.get('.probe').string();
    } catch (err) {
      client.close();
      throw etcdError(`etcd at ${maskUrl(options.endpoints)}`, 'is unreachable', err, options.namespace ?? 'toolflow');
    }
    return coordination;
  }

  /**
   * Runs an etcd call.
   * @throws ServiceUnavailableError naming etcd when it fails; ConfigError when etcd refused the
   *   credentials or the access (`etcdError`); LeaseLostError as it is.
   */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof LeaseLostError || err instanceof ConfigError || err instanceof ServiceUnavailableError || err instanceof AbortedError) throw err;
      throw etcdError(`etcd at ${maskUrl(this.options.endpoints)}`, `failed to ${what}`, err, this.options.namespace ?? 'toolflow');
    }
  }

  /**
   * Tries to take the lock once, within `lockTimeoutMs` (default 10 s) and until `options.signal`
   * aborts. An attempt given up on (deadline or abort) may still be granted by etcd later: its lease
   * is then revoked at once, so the lock is not left held by nobody.
   * @returns the lease, or null when another holder has the lock.
   * @throws ServiceUnavailableError `etcd at … did not answer within … ms while taking the lock …`;
   *   AbortedError `stopped waiting for etcd at … to take the lock …` when the signal aborts;
   *   ConfigError when etcd refuses the credentials.
   */
  tryLock(key: string, ttlSeconds: number, options: TryLockOptions = {}): Promise<Lease | null> {
    const where = `etcd at ${maskUrl(this.options.endpoints)}`;
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new AbortedError(`stopped waiting for ${where} to take the lock ${key}`));
    const attempt = this.call(`lock ${key}`, () => this.lockOnce(key, ttlSeconds));
    const timeoutMs = this.options.lockTimeoutMs ?? 10_000;
    return new Promise<Lease | null>((resolve, reject) => {
      let settled = false;
      const giveUp = (err: Error) => {
        if (settled) return;
        settled = true;
        cleanup();
        reject(err);
        // etcd may grant the abandoned attempt later: free that lock at once.
        void attempt.then((lease) => lease?.release(), () => undefined);
      };
      const timer = setTimeout(() => giveUp(new ServiceUnavailableError(`${where} did not answer within ${timeoutMs} ms while taking the lock ${key}`)), timeoutMs);
      const onAbort = () => giveUp(new AbortedError(`stopped waiting for ${where} to take the lock ${key}`));
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      attempt.then(
        (lease) => {
          if (settled) return;
          settled = true;
          cleanup();
          resolve(lease);
        },
        (err: unknown) => {
          if (settled) return;
          settled = true;
          cleanup();
          reject(err as Error);
        },
      );
    });
  }

  private async lockOnce(key: string, ttlSeconds: number): Promise<Lease | null> {
    const etcdLease = this.client.lease(Math.max(2, Math.ceil(ttlSeconds)));
    let result;
    try {
      const id = await etcdLease.grant();
      result = await this.kv
        .if(key, 'Create', '==', 0)
        // The value says who holds it (host, boot, pid, start time), for `resume` and `status`.
        .then(this.kv.put(key).value(JSON.stringify({ lease: id, ...currentProcess() })).lease(id))
        .commit();
    } catch (err) {
      // Without this, a lease granted before the transaction failed would be kept alive for good.
      void etcdLease.revoke().catch(() => undefined);
      throw err;
    }
    if (!result.succeeded) {
      await etcdLease.revoke().catch(() => undefined);
      return null;
    }
    this.leases.add(etcdLease);
    const listeners: (() => void)[] = [];
    const lease = {
      key,
      token: Number(result.header.revision),
      lost: false,
      onLost(listener: () => void) {
        if (lease.lost) listener();
        else listeners.push(listener);
      },
      release: async () => {
        this.leases.delete(etcdLease);
        await etcdLease.revoke().catch((err: unknown) => this.options.log.warn({ err: (err as Error).message, key }, 'lock release failed; the lease will expire'));
      },
    };
    etcdLease.on('lost', (err) => {
      this.leases.delete(etcdLease);
      lease.lost = true;
      this.options.log.warn({ key, token: lease.token, err: err?.message }, 'lock lease lost');
      for (const l of listeners) l();
    });
    return lease;
  }

  /**
   * etcd keeps a lock key only while its lease lives; the key's value names the process that took
   * it. A holder that died keeps the key until its lease runs out (`isKnownDead` tells, on its machine).
   */
  async lockHolder(key: string): Promise<LockHolder | null> {
    const value = await this.call(`read ${key}`, () => this.kv.get(key).string());
    if (value === null) return null;
    const holder = parseIdentity(value);
    return holder ? { holder } : {};
  }

  put(key: string, value: unknown, options: { fence?: Lease } = {}): Promise<void> {
    return this.call(`write ${key}`, () => this.putOnce(key, value, options));
  }

  private async putOnce(key: string, value: unknown, options: { fence?: Lease }): Promise<void> {
    const json = JSON.stringify(value);
    const fence = options.fence;
    await Promise.all(this.watchers); // a watch started before this put sees it
    if (!fence) {
      await this.kv.put(key).value(json);
      return;
    }
    const result = await this.kv.if(fence.key, 'Create', '==', fence.token).then(this.kv.put(key).value(json)).commit();
    if (!result.succeeded) throw new LeaseLostError(`write to ${key} refused: the lock ${fence.key} (token ${fence.token}) is no longer held`);
  }

  async get<T>(key: string): Promise<T | undefined> {
    const text = await this.call(`read ${key}`, () => this.kv.get(key).string());
    return text === null ? undefined : (JSON.parse(text) as T);
  }

  /**
   * Read in pages of LIST_PAGE keys (each page from the key after the last one read): a single
   * range answer larger than gRPC's 4 MiB message limit fails with RESOURCE_EXHAUSTED (seen at
   * 6,000 documents of 1 KB). The pages are not one snapshot: a document put meanwhile may be missed.
   */
  async list<T>(prefix: string): Promise<Array<[string, T]>> {
    const end = Range.prefix(prefix).end;
    const out: Array<[string, T]> = [];
    for (let start = prefix; ; ) {
      const page = await this.call(`list ${prefix}`, () => this.kv.getAll().inRange({ start, end }).sort('Key', 'Ascend').limit(LIST_PAGE).strings());
      const entries = Object.entries(page).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const [k, v] of entries) out.push([k, JSON.parse(v) as T]);
      if (entries.length < LIST_PAGE) return out;
      start = `${entries[entries.length - 1]![0]}\0`;
    }
  }

  watch(prefix: string, listener: (key: string, value: unknown) => void): () => void {
    let stopped = false;
    const created = this.kv
      .watch()
      .prefix(prefix)
      .create()
      .then((w) => {
        w.on('put', (kv) => {
          if (!stopped) listener(kv.key.toString(), JSON.parse(kv.value.toString()));
        });
        w.on('error', (err) => this.options.log.warn({ err: err.message, prefix }, 'etcd watch error'));
        return w;
      })
      .catch((err: unknown) => {
        this.options.log.error({ err: (err as Error).message, prefix }, 'etcd watch could not start');
        return undefined;
      });
    this.watchers.add(created);
    return () => {
      stopped = true;
      this.watchers.delete(created);
      void created.then((w) => w?.cancel());
    };
  }

  /** Stops watches, revokes held locks (etcd3's close alone leaves their keepalives running), closes the client. */
  async close(): Promise<void> {
    const watchers = await Promise.all(this.watchers);
    await Promise.allSettled(watchers.map((w) => w?.cancel()));
    await Promise.allSettled([...this.leases].map((l) => l.revoke()));
    this.client.close();
  }
}
