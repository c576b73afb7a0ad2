/**
 * `toolflow gc` (issue 11, embedded inputs): removes what no recent task needs from this machine's
 * work folder and local object store. The rules:
 * - a task is **old** when it finished (succeeded, failed or cancelled) before the cutoff; every
 *   other task (queued, processing, including one whose process died and that `toolflow resume`
 *   can take over, or finished since the cutoff) is **recent** and keeps all its files;
 * - an old task's work dirs (`<work dir>/<task>/`: its attempts and `_inputs/`) are removed, except
 *   an attempt a recent task's attempt was reused from (`tool_runs.cached_from`), whose folder stays;
 * - an old task's input objects (`<owner>/<upload id>/<file>`, from `tasks.inputs_json`) are
 *   removed unless a recent task names the same object;
 * - an object folder `<owner>/<upload id>/` that no task names and that is older than the cutoff (an
 *   upload never used, or left by a run stopped before it was submitted) is removed; top-level
 *   folders whose names start with `_` or `.` (upload machinery) are not touched;
 * - checksum-cache rows (`input_checksums`) of files that are gone or changed are dropped.
 * The store's rows stay (history, `toolflow status`); a later cache hit on a removed attempt finds its
 * files gone and runs the tool (`cache/attempt-cache.ts` `reuseCached`: refused, then run).
 *
 * Safety: entries are looked at with `lstat` and never followed: a symbolic link (a staged input, an
 * `outputs` link, an object that references a user's file) is removed itself, never what it points
 * to, so nothing outside the work dir and the objects folder is removed, and the user's files stay
 * (an object that is a hard link to one is one of its names: removing it leaves the user's).
 * Read-only folders (recorded directory outputs) are made writable by their owner to be emptied.
 *
 * Bytes freed: a file's size counts only when every one of its hard links is among what is removed
 * (st_nlink links, all seen): a file also linked from the user's folder (an input held in place), an
 * `--outdir` (published results) or a recent task (a cache hit's links) frees nothing.
 */
import { chmod, lstat, open, readdir, rmdir, unlink } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { BigIntStats } from 'node:fs';
import type { StoredInput } from '../events/catalog.js';
import { fileIdentity, identityOf, sameIdentity } from '../objects/file-identity.js';
import { checkObjectKey } from '../objects/object-store.js';
import { isTerminal } from '../scheduler/status.js';
import type { Store, TaskRow } from '../store/store.js';
import { HOST } from './input-checksums.js';

/** What `collectGarbage` needs. */
export interface GcPorts {
  store: Pick<Store, 'listTasks' | 'listToolRuns' | 'listInputChecksums' | 'deleteInputChecksum' | 'getInputChecksum' | 'putInputChecksum'>;
  /** The local object store's folder; undefined when objects are kept elsewhere (S3: not collected here). */
  objectsDir?: string;
  /** The work folder of tasks that recorded none (`tasks.work_dir` null: older rows). */
  workDir: string;
}

/** Options of `collectGarbage`. */
export interface GcOptions {
  /** Cutoff, epoch ms: tasks that finished before it are old. */
  before: number;
  /** Say what would be removed, remove nothing. */
  dryRun?: boolean;
}

/** One old task, as collected. */
export interface CollectedTask {
  taskId: string;
  name: string;
  status: string;
  /** When it finished, epoch ms. */
  finishedAt: number;
  /** Its folder (`<work dir>/<task>`), or null when it is not on this machine (a task whose input objects only were left). */
  dir: string | null;
  /** Attempt folders kept, `<tool>/attempt-<n>`, each reused by a recent task. */
  keptAttempts: string[];
}

/** What `collectGarbage` removed (or, dry, would remove). */
export interface GcReport {
  before: number;
  dryRun: boolean;
  /** Old tasks something was found of (a task collected before is not listed again). */
  tasks: CollectedTask[];
  /** Tasks left whole: unfinished, or finished since the cutoff. */
  keptTasks: number;
  /** Objects removed: their keys, and what each was (`link`: a hard link, `reference`: a symbolic link to a user's file, `file`). */
  objects: { key: string; kind: 'link' | 'reference' | 'file'; taskId: string | null }[];
  /** Bytes freed (module comment: only files whose every link was removed). */
  freedBytes: number;
  /** Files and links removed. */
  removedFiles: number;
  /** Checksum-cache rows dropped (their files gone or changed). */
  checksumsDropped: number;
  /** What could not be removed, with why; the rest was. */
  problems: string[];
}

/** A task id as toolflow makes them; anything else is not made into a path. */
const TASK_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Counts what removing entries frees, by inode: a file's size counts once all its links were seen. */
class Freed {
  private readonly inodes = new Map<string, { size: number; nlink: number; seen: number }>();
  files = 0;

  see(st: BigIntStats): void {
    this.files++;
    const key = `${st.dev}:${st.ino}`;
    const known = this.inodes.get(key) ?? { size: Number(st.size), nlink: Number(st.nlink), seen: 0 };
    known.seen++;
    this.inodes.set(key, known);
  }

  get bytes(): number {
    let n = 0;
    for (const i of this.inodes.values()) if (i.seen >= i.nlink) n += i.size;
    return n;
  }
}

/** Removing entries, or (dry) only looking at them; problems are collected, never thrown. */
class Remover {
  readonly freed = new Freed();
  readonly problems: string[] = [];
  constructor(private readonly dryRun: boolean) {}

  /** Removes `path` and, for a real folder, everything in it (links removed, never followed). */
  async tree(path: string): Promise<void> {
    let st: BigIntStats;
    try {
      st = await lstat(path, { bigint: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.problems.push(`${path}: ${(err as Error).message}`);
      return;
    }
    if (!st.isDirectory()) return this.file(path, st);
    try {
      const mode = Number(st.mode & 0o7777n);
      if (!this.dryRun && (mode & 0o700) !== 0o700) await chmod(path, mode | 0o700); // a frozen directory output
      for (const name of await readdir(path)) await this.tree(join(path, name));
      if (!this.dryRun) await rmdir(path);
    } catch (err) {
      this.problems.push(`${path}: ${(err as Error).message}`);
    }
  }

  /** Removes one entry that is not a directory (a file, a symbolic link). */
  async file(path: string, st: BigIntStats): Promise<void> {
    try {
      if (!this.dryRun) await unlink(path);
      this.freed.see(st);
    } catch (err) {
      this.problems.push(`${path}: ${(err as Error).message}`);
    }
  }

  /** Removes `dir` if it is empty (a dry run: never). */
  async emptyDir(dir: string): Promise<void> {
    if (!this.dryRun) await rmdir(dir).catch(() => undefined);
  }
}

/** When a finished task finished: `finished_at`, else its last update. */
function finishedAt(task: TaskRow): number {
  return Number(task.finished_at ?? task.updated_at);
}

/** The object keys a task names (`inputs_json`: every file input, sheet and item file). */
function objectKeys(task: TaskRow): string[] {
  try {
    return Object.values(JSON.parse(task.inputs_json) as Record<string, StoredInput>).map((i) => i.key).filter((k): k is string => typeof k === 'string');
  } catch {
    return [];
  }
}

/**
 * Collects the garbage (module comment).
 * @returns what was removed (dry: what would be), with the bytes freed.
 * @throws the store's error; filesystem errors are `problems`, not thrown.
 */
export async function collectGarbage(ports: GcPorts, options: GcOptions): Promise<GcReport> {
  const dryRun = options.dryRun ?? false;
  const remover = new Remover(dryRun);
  const tasks = await ports.store.listTasks(null);
  const old = tasks.filter((t) => isTerminal(t.status) && finishedAt(t) < options.before);
  const oldIds = new Set(old.map((t) => t.id));
  const recent = tasks.filter((t) => !oldIds.has(t.id));
  // What recent tasks need of old ones: the attempts they reused, the objects they name.
  const keptAttempts = new Map<string, Set<string>>();
  const recentKeys = new Set<string>();
  for (const t of recent) {
    for (const key of objectKeys(t)) recentKeys.add(key);
    for (const run of await ports.store.listToolRuns(t.id)) {
      const from = run.cached_from?.match(/^([^/]+)\/(.+)\/(\d+)$/);
      if (!from || !oldIds.has(from[1]!)) continue;
      const set = keptAttempts.get(from[1]!) ?? new Set<string>();
      set.add(join(from[2]!, `attempt-${from[3]}`));
      keptAttempts.set(from[1]!, set);
    }
  }
  const report: GcReport = { before: options.before, dryRun, tasks: [], keptTasks: recent.length, objects: [], freedBytes: 0, removedFiles: 0, checksumsDropped: 0, problems: remover.problems };
  for (const t of old) {
    const item = await collectTask(t, ports.workDir, keptAttempts.get(t.id) ?? new Set(), remover);
    let objects = 0;
    for (const key of ports.objectsDir ? objectKeys(t) : []) {
      if (recentKeys.has(key)) continue;
      const kind = await removeObject(ports, ports.objectsDir!, key, remover, dryRun);
      if (kind) report.objects.push({ key, kind, taskId: t.id });
      if (kind) objects++;
      recentKeys.add(key); // named by two old tasks: removed once
    }
    // A task collected before (nothing of it left here) is not reported again.
    if (item.dir !== null || objects > 0) report.tasks.push(item);
  }
  if (ports.objectsDir) {
    for (const o of await orphanObjects(ports.objectsDir, new Set(tasks.flatMap(objectKeys)), options.before, remover)) report.objects.push({ ...o, taskId: null });
  }
  report.checksumsDropped = await dropStaleChecksums(ports.store, dryRun);
  report.freedBytes = remover.freed.bytes;
  report.removedFiles = remover.freed.files;
  return report;
}

/** Removes an old task's folder, except the attempt folders in `keep` (`<tool>/attempt-<n>`). */
async function collectTask(t: TaskRow, workDir: string, keep: Set<string>, remover: Remover): Promise<CollectedTask> {
  const root = t.work_dir ?? workDir;
  const item: CollectedTask = { taskId: t.id, name: t.name, status: t.status, finishedAt: finishedAt(t), dir: null, keptAttempts: [...keep].sort() };
  if (!TASK_ID.test(t.id) || !isAbsolute(root)) {
    remover.problems.push(`task ${t.id}: its folder ${join(root, t.id)} is not an absolute path of one folder; left alone`);
    return item;
  }
  const dir = join(root, t.id);
  const st = await lstat(dir).catch(() => undefined);
  if (!st?.isDirectory()) return item; // not on this machine (or removed already)
  item.dir = dir;
  if (keep.size === 0) {
    await remover.tree(dir);
    return item;
  }
  // Keep the reused attempts: remove everything else, one level at a time.
  for (const entry of await readdir(dir)) {
    const sub = join(dir, entry);
    const kept = [...keep].filter((k) => k.startsWith(`${entry}/`));
    if (kept.length === 0) {
      await remover.tree(sub);
      continue;
    }
    const subSt = await lstat(sub);
    if (!subSt.isDirectory()) {
      await remover.tree(sub);
      continue;
    }
    for (const attempt of await readdir(sub)) if (!keep.has(join(entry, attempt))) await remover.tree(join(sub, attempt));
  }
  return item;
}

/**
 * Removes one object (its link, never what it points to) and its folders if they are empty. A hard
 * link to a user's file changes that file's ctime as it goes: its checksum row is brought up to
 * date (the file is read through an open descriptor kept across the unlink), so the next run of the
 * file still finds its checksum. @returns what the object was, or undefined when it is not there.
 */
async function removeObject(ports: GcPorts, objectsDir: string, key: string, remover: Remover, dryRun: boolean): Promise<'link' | 'reference' | 'file' | undefined> {
  let segments: string[];
  try {
    segments = checkObjectKey(key).split('/');
  } catch (err) {
    remover.problems.push((err as Error).message);
    return undefined;
  }
  const path = join(objectsDir, ...segments);
  const st = await lstat(path, { bigint: true }).catch(() => undefined);
  if (!st || st.isDirectory()) return undefined;
  const kind = st.isSymbolicLink() ? 'reference' : st.nlink > 1n ? 'link' : 'file';
  if (kind === 'link' && !dryRun) {
    const before = identityOf(st);
    const row = await ports.store.getInputChecksum({ host: HOST, dev: before.dev, ino: before.ino });
    const fh = await open(path, 'r').catch(() => undefined);
    try {
      await remover.file(path, st);
      if (fh && row && row.size === before.size && row.mtime_ns === before.mtimeNs && row.ctime_ns === before.ctimeNs) {
        const after = identityOf(await fh.stat({ bigint: true }));
        if (after.size === before.size && after.mtimeNs === before.mtimeNs) await ports.store.putInputChecksum({ ...row, ctime_ns: after.ctimeNs });
      }
    } finally {
      await fh?.close();
    }
  } else await remover.file(path, st);
  for (let n = segments.length - 1; n > 0; n--) await remover.emptyDir(join(objectsDir, ...segments.slice(0, n)));
  return kind;
}

/** Object folders `<owner>/<upload id>/` that no task names, last changed before `before`: removed. */
async function orphanObjects(objectsDir: string, named: Set<string>, before: number, remover: Remover): Promise<{ key: string; kind: 'link' | 'reference' | 'file' }[]> {
  const prefixes = new Set([...named].map((k) => k.split('/').slice(0, 2).join('/')));
  const out: { key: string; kind: 'link' | 'reference' | 'file' }[] = [];
  const owners = await readdir(objectsDir, { withFileTypes: true }).catch(() => []);
  for (const owner of owners) {
    if (!owner.isDirectory() || owner.name.startsWith('_') || owner.name.startsWith('.')) continue;
    const ownerDir = join(objectsDir, owner.name);
    for (const upload of await readdir(ownerDir, { withFileTypes: true }).catch(() => [])) {
      if (!upload.isDirectory() || prefixes.has(`${owner.name}/${upload.name}`)) continue;
      const dir = join(ownerDir, upload.name);
      const st = await lstat(dir).catch(() => undefined);
      if (!st || st.mtimeMs >= before) continue;
      for (const f of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const kind = f.isSymbolicLink() ? 'reference' : f.isFile() ? ((await lstat(join(dir, f.name))).nlink > 1 ? 'link' : 'file') : undefined;
        if (kind) out.push({ key: `${owner.name}/${upload.name}/${f.name}`, kind });
      }
      await remover.tree(dir);
    }
    await remover.emptyDir(ownerDir);
  }
  return out;
}

/** Drops this machine's checksum rows whose file is gone or changed (a dry run only counts them). @returns how many. */
async function dropStaleChecksums(store: GcPorts['store'], dryRun: boolean): Promise<number> {
  let dropped = 0;
  for (const row of await store.listInputChecksums(HOST)) {
    const now = await fileIdentity(row.path).catch(() => undefined);
    const recorded = { dev: row.dev, ino: row.ino, size: row.size, mtimeNs: row.mtime_ns, ctimeNs: row.ctime_ns, nlink: 0, isFile: true };
    if (now && sameIdentity(recorded, now)) continue;
    dropped++;
    if (!dryRun) await store.deleteInputChecksum(row);
  }
  return dropped;
}
