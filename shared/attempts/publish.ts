/**
 * Publishing a task's results (issue 10 §4): `toolflow run --outdir DIR` and `toolflow publish
 * TASK --outdir DIR` put the published outputs of the task's succeeded tools into DIR with a stable
 * layout:
 *
 * | tool | published at |
 * | --- | --- |
 * | `call` (not scattered) | `DIR/call/<output path>` |
 * | `align[A]` (an instance of `align`) | `DIR/align/A/<output path>` |
 *
 * **Which outputs**: those a tool's `publish` names (`publish: true` is every one it declares); when
 * no tool of the workflow declares `publish`, every declared output of the tools nothing relies on
 * (the plan's sinks; for a gather that is the gathering tool).
 *
 * **From where**: the tool's newest succeeded attempt: its work dir with the local executor
 * (`<work root>/<task>/<tool>/attempt-<n>/<path>`), the object store in cluster mode
 * (`attempts/<task>/<tool>/attempt-<n>/<path>`, `attemptObjectKey`).
 *
 * **How**: a hard link to the work dir's file (a copy when DIR is on another filesystem, or the
 * filesystem refuses the link), never a symbolic link, since the work dir may be removed; in cluster
 * mode a download. Each file is made under a temporary name in its folder and renamed into place, so
 * a file published by an earlier run is replaced whole (and a symbolic link there is replaced, never
 * written through). Nothing below DIR is followed: a folder of the layout that is a symbolic link (or
 * a file) is refused, and so is an output that resolves outside its attempt's work dir. DIR must be
 * outside the work root (the tasks' work dirs may be removed with it).
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { copyFile, link, lstat, mkdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ConfigError, NotFoundError } from '../errors.js';
import type { OutputRecord } from '../events/catalog.js';
import type { ObjectStore } from '../objects/object-store.js';
import { isTerminal } from '../scheduler/status.js';
import { attemptObjectKey, outputSegments } from '../sidecar/pod-layout.js';
import type { ToolSpec, WorkflowSpec } from '../spec/types.js';
import type { Store, TaskRow, ToolRunRow } from '../store/store.js';
import { canonicalOutputPath, latestSucceeded, outputNames, recordedOutputs } from './recorded-outputs.js';
import { attemptDir } from '../cli/attempt-files.js';

/**
 * Where a task's attempts keep their outputs:
 * - `local`: files in work dirs, `dirOf(tool, attempt)` (the local executor's layout under the
 *   task's work root `workRoot`, which DIR must stay out of);
 * - `objects`: objects at `attemptObjectKey(task, tool, attempt, path)` (cluster mode).
 */
export type OutputSource = { kind: 'local'; dirOf: (tool: string, attempt: number) => string; workRoot?: string } | { kind: 'objects'; objects: ObjectStore };

/**
 * The local source of a task: its recorded work root (`tasks.work_dir`), else `fallbackRoot` (the
 * configured work dir, for rows that recorded none).
 */
export function localSource(task: Pick<TaskRow, 'id' | 'work_dir'>, fallbackRoot: string): OutputSource {
  const root = resolve(task.work_dir ?? fallbackRoot);
  return { kind: 'local', workRoot: root, dirOf: (tool, attempt) => attemptDir(root, task.id, tool, attempt) };
}

/** Where one output of one attempt is: an absolute path (`local`) or an object key (`objects`). @throws Error for a path that is not inside the work dir (`outputSegments`). */
export function outputLocation(source: OutputSource, taskId: string, tool: string, attempt: number, path: string): string {
  return source.kind === 'local' ? join(source.dirOf(tool, attempt), ...outputSegments(path)) : attemptObjectKey(taskId, tool, attempt, path);
}

/**
 * The outputs `--outdir` publishes, by tool name (in workflow order), each as the canonical paths
 * (`canonicalOutputPath`) of its declared outputs, in declaration order. A `publish` entry is a named
 * output's name, or (list-form outputs) a declared path; entries that are neither are ignored (the
 * loader refuses them). Without any `publish` in the workflow: every declared output of each tool no
 * other tool relies on.
 */
export function publishedOutputs(spec: Pick<WorkflowSpec, 'tools'>): Map<string, string[]> {
  const chosen = new Map<string, string[]>();
  const declared = spec.tools.some((t) => t.publish !== null && t.publish !== undefined);
  const reliedOn = new Set(spec.tools.flatMap((t) => t.rely));
  for (const tool of spec.tools) {
    const paths = tool.outputs.map(canonicalOutputPath);
    let picked: string[];
    if (declared) {
      if (!tool.publish) continue;
      const byName = new Map([...outputNames(tool)].map(([path, name]) => [name, path]));
      const wanted = new Set(tool.publish.map((entry) => byName.get(entry) ?? canonicalOutputPath(entry)));
      picked = paths.filter((p) => wanted.has(p));
    } else {
      if (reliedOn.has(tool.name)) continue;
      picked = paths;
    }
    const unique = [...new Set(picked)];
    if (unique.length > 0) chosen.set(tool.name, unique);
  }
  return chosen;
}

/** A segment of the layout: a tool name, an instance key or a part of an output path. */
const SEGMENT_BAD = /[/\\\0]/;

/**
 * Where a tool's output goes below DIR, as path segments: `[tool, …path]`, and for an instance
 * `[template, key, …path]`.
 * @throws ConfigError for a segment that is empty, `.`, `..` or holds `/`, `\` or NUL (planner and
 *   loader refuse such names already: this is the last check before a path is made of them).
 */
export function publishedSegments(tool: Pick<ToolSpec, 'name' | 'instance'>, path: string): string[] {
  let parts: string[];
  try {
    parts = outputSegments(path);
  } catch (err) {
    throw new ConfigError(`tool ${tool.name}: ${(err as Error).message}; not published`);
  }
  const head = tool.instance ? [tool.instance.tool, tool.instance.key] : [tool.name];
  for (const s of head) {
    if (s === '' || s === '.' || s === '..' || SEGMENT_BAD.test(s)) throw new ConfigError(`tool ${tool.name}: ${JSON.stringify(s)} cannot be a folder name below --outdir; not published`);
  }
  return [...head, ...parts];
}

/** True when `path` is `root` or inside it (both absolute, normalized). */
function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The real path of `path`, or of its nearest existing ancestor joined with the rest. */
async function realOrPlanned(path: string): Promise<string> {
  const rest: string[] = [];
  let cur = path;
  for (;;) {
    try {
      return join(await realpath(cur), ...rest.reverse());
    } catch {
      const up = dirname(cur);
      if (up === cur) return path;
      rest.push(cur.slice(up.length).replace(/^[/\\]+/, ''));
      cur = up;
    }
  }
}

/**
 * Checks `--outdir DIR` before anything is published (and before a run starts): DIR, when it
 * exists, is a folder (a symbolic link to one is fine: DIR itself is the user's choice); it is not
 * the work root nor inside it (`workRoot`, the folder of the tasks' work dirs).
 * @returns DIR as an absolute path.
 * @throws ConfigError saying which rule it breaks.
 */
export async function checkOutdir(outdir: string, workRoot?: string): Promise<string> {
  const dir = resolve(outdir);
  let st: Stats | undefined;
  try {
    st = await stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`--outdir ${outdir} cannot be used: ${(err as Error).message}`);
  }
  if (st && !st.isDirectory()) throw new ConfigError(`--outdir ${outdir} is not a folder`);
  if (workRoot) {
    const [real, root] = await Promise.all([realOrPlanned(dir), realOrPlanned(resolve(workRoot))]);
    if (within(real, root)) {
      throw new ConfigError(`--outdir ${outdir} is inside the work dir ${workRoot}, whose tasks' folders may be removed: publish outside it (results are hard links, so they outlive the work dir)`);
    }
  }
  return dir;
}

/** One published file. */
export interface PublishedFile {
  /** The tool (instance) name: `align[A]`. */
  tool: string;
  attempt: number;
  /** The named output it is, or null (list-form outputs). */
  name: string | null;
  /** As declared, relative to the attempt's work dir (canonical form). */
  path: string;
  /** Where it was read: absolute path (local) or object key (cluster mode). */
  source: string;
  /** Where it is now: absolute path below DIR. */
  published: string;
  bytes: number;
  /**
   * `link` (a hard link), `copy` (DIR on another filesystem, or links refused), `download` (from
   * the object store), `unchanged` (DIR held that very file already: a hard link of it).
   */
  how: 'link' | 'copy' | 'download' | 'unchanged';
}

/** What publishing did. */
export interface PublishReport {
  /** DIR, absolute. */
  outdir: string;
  files: PublishedFile[];
  /** Tools with outputs to publish that did not succeed (nothing of theirs was published), with their status. */
  notPublished: { tool: string; status: string }[];
  /** Files that could not be published, and why. */
  errors: { tool: string; path: string; message: string }[];
}

/** An error about one file, kept in the report (the other files are still published). */
class FileRefused extends Error {}

/**
 * Makes the folders `segments` below `root` (which exists), following no symbolic link.
 * @returns the innermost folder.
 * @throws FileRefused when one of them is a symbolic link or not a folder.
 */
async function makeFolders(root: string, segments: string[], outdir: string): Promise<string> {
  let cur = root;
  for (const s of segments) {
    cur = join(cur, s);
    for (let tries = 0; ; tries++) {
      let st: Stats;
      try {
        st = await lstat(cur);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        try {
          await mkdir(cur);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 2) throw e;
        }
        continue;
      }
      if (st.isDirectory()) break;
      const what = st.isSymbolicLink() ? 'a symbolic link' : 'not a folder';
      throw new FileRefused(`${join(outdir, relative(root, cur))} is ${what}: refusing to publish through it (remove it)`);
    }
  }
  return cur;
}

/** Checks that the local output `path` of attempt dir `dir` is a regular file inside it. @returns its real path and stats. @throws FileRefused. */
async function localFile(dir: string, path: string): Promise<{ real: string; st: Stats }> {
  let real: string;
  let root: string;
  try {
    root = await realpath(dir);
    real = await realpath(join(dir, ...outputSegments(path)));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FileRefused(code === 'ENOENT' ? `${join(dir, path)} is gone (was the work dir removed?)` : `${join(dir, path)}: ${(err as Error).message}`);
  }
  if (!within(real, root) || real === root) throw new FileRefused(`${join(dir, path)} leads outside its attempt's work dir (a symbolic link to ${real}): not published`);
  const st = await stat(real);
  if (!st.isFile()) throw new FileRefused(`${join(dir, path)} is not a regular file: not published`);
  return { real, st };
}

/** Link errors after which a copy is made instead: another filesystem, links not allowed or not supported, too many links. */
const COPY_INSTEAD = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'EACCES']);

/**
 * Places one file at `dest` (in folder `folder`): `make(tmp)` writes it under a temporary name
 * there, which is then renamed over `dest`. @throws FileRefused when a folder is at `dest`.
 */
async function place(dest: string, make: (tmp: string) => Promise<PublishedFile['how']>, outdir: string, root: string): Promise<PublishedFile['how']> {
  const existing = await lstat(dest).catch(() => undefined);
  if (existing?.isDirectory()) throw new FileRefused(`${join(outdir, relative(root, dest))} is a folder: remove it to publish this file there`);
  const base = dest.slice(dirname(dest).length + 1);
  const tmp = join(dirname(dest), `.${base.slice(0, 200)}.tf-${randomBytes(6).toString('hex')}`);
  try {
    const how = await make(tmp);
    await rename(tmp, dest);
    return how;
  } finally {
    // rename(2) does nothing when both names are links of one file: the temporary name stays then.
    await rm(tmp, { force: true });
  }
}

/** Runs `work` on each item, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

/** One file to publish. */
interface Job {
  tool: ToolSpec;
  run: ToolRunRow;
  path: string;
  record: OutputRecord | undefined;
  segments: string[];
}

/**
 * Publishes the results of a task that has ended into `outdir`: for each tool with outputs to
 * publish (`publishedOutputs`) whose newest succeeded attempt exists, each of those outputs (a
 * failed task publishes what succeeded, and lists the rest in `notPublished`). A file that cannot be
 * published (gone, changed size since it was recorded, a folder or link in the way) is an entry of
 * `errors`; the others are still published.
 * @param options.source where the attempts' outputs are (`localSource`, or the object store in cluster mode).
 * @param options.link makes a hard link (default `fs.promises.link`; tests pass one that fails as
 *   across filesystems).
 * @throws NotFoundError for an unknown task; ConfigError for a task that has not ended, or a DIR
 *   `checkOutdir` refuses.
 */
export async function publishTask(store: Store, taskId: string, options: { outdir: string; source: OutputSource; link?: (existing: string, made: string) => Promise<void> }): Promise<PublishReport> {
  const makeLink = options.link ?? link;
  const task = await store.getTask(taskId);
  if (!task) throw new NotFoundError(`no task ${taskId}; \`toolflow status\` lists recent tasks`);
  if (!isTerminal(task.status)) throw new ConfigError(`task ${taskId} is ${task.status}: publish it once it has ended (toolflow status ${taskId})`);
  const { source } = options;
  const outdir = await checkOutdir(options.outdir, source.kind === 'local' ? source.workRoot : undefined);
  const spec = (JSON.parse(task.spec) as { spec: WorkflowSpec }).spec;
  const chosen = publishedOutputs(spec);
  const runsOf = new Map<string, ToolRunRow[]>();
  for (const r of await store.listToolRuns(taskId)) runsOf.set(r.tool, [...(runsOf.get(r.tool) ?? []), r]);

  const report: PublishReport = { outdir, files: [], notPublished: [], errors: [] };
  const jobs: Job[] = [];
  for (const tool of spec.tools) {
    const paths = chosen.get(tool.name);
    if (!paths) continue;
    const runs = runsOf.get(tool.name) ?? [];
    const run = latestSucceeded(runs);
    if (!run) {
      const last = runs.reduce<ToolRunRow | undefined>((a, r) => (!a || Number(r.attempt) > Number(a.attempt) ? r : a), undefined);
      report.notPublished.push({ tool: tool.name, status: last?.status ?? 'pending' });
      continue;
    }
    const recorded = recordedOutputs(run) ?? [];
    for (const path of paths) {
      try {
        jobs.push({ tool, run, path, record: recorded.find((r) => canonicalOutputPath(r.path) === path), segments: publishedSegments(tool, path) });
      } catch (err) {
        report.errors.push({ tool: tool.name, path, message: (err as Error).message });
      }
    }
  }
  if (jobs.length === 0) return report;
  await mkdir(outdir, { recursive: true });
  const root = await realpath(outdir);
  const workRoot = source.kind === 'local' && source.workRoot ? await realOrPlanned(source.workRoot) : undefined;
  const published = new Map<Job, PublishedFile>();
  const failed = new Map<Job, PublishReport['errors'][number]>();
  await eachLimited(jobs, 8, async (job) => {
    const { tool, run, path, record, segments } = job;
    const attempt = Number(run.attempt);
    try {
      const dest = join(root, ...segments);
      // The work root may be inside DIR (--workdir results/work --outdir results): never write into it.
      if (workRoot && within(dest, workRoot)) throw new FileRefused(`${join(outdir, ...segments)} would be inside the work dir ${workRoot}: not published (rename the tool, or move --outdir)`);
      const folder = await makeFolders(root, segments.slice(0, -1), outdir);
      const target = join(folder, segments[segments.length - 1]!);
      const location = outputLocation(source, taskId, tool.name, attempt, path);
      let bytes: number;
      let how: PublishedFile['how'];
      if (source.kind === 'local') {
        const { real, st } = await localFile(source.dirOf(tool.name, attempt), path);
        if (record && st.size !== record.bytes) throw new FileRefused(`${location} has ${st.size} bytes, but its attempt recorded ${record.bytes}: it changed since; not published`);
        bytes = st.size;
        const there = await lstat(target).catch(() => undefined);
        how =
          there && there.isFile() && there.ino === st.ino && there.dev === st.dev
            ? 'unchanged'
            : await place(
                target,
                async (tmp) => {
                  try {
                    await makeLink(real, tmp);
                    return 'link';
                  } catch (err) {
                    if (!COPY_INSTEAD.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
                    await copyFile(real, tmp, constants.COPYFILE_EXCL);
                    return 'copy';
                  }
                },
                outdir,
                root,
              );
      } else {
        const { objects } = source;
        let size = 0;
        how = await place(
          target,
          async (tmp) => {
            try {
              await objects.getToFile(location, tmp);
            } catch (err) {
              if (err instanceof NotFoundError) throw new FileRefused(`object ${location} is gone: not published`);
              throw err;
            }
            size = (await stat(tmp)).size;
            if (record && size !== record.bytes) throw new FileRefused(`object ${location} has ${size} bytes, but its attempt recorded ${record.bytes}: not published`);
            return 'download';
          },
          outdir,
          root,
        );
        bytes = size;
      }
      published.set(job, { tool: tool.name, attempt, name: outputNames(tool).get(path) ?? null, path, source: location, published: join(outdir, ...segments), bytes, how });
    } catch (err) {
      failed.set(job, { tool: tool.name, path, message: err instanceof FileRefused ? err.message : `${join(outdir, ...segments)}: ${(err as Error).message}` });
    }
  });
  // In workflow and declaration order, whatever order the lanes finished in.
  for (const job of jobs) {
    const file = published.get(job);
    if (file) report.files.push(file);
    const error = failed.get(job);
    if (error) report.errors.push(error);
  }
  return report;
}
