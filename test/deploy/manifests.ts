/**
 * What the deployment tests read: the Knative manifests (`knative/*.yaml`, and the example Secrets
 * of `knative/secret/`), faas-cli's `stack.yml` with its environment file, the functions that
 * exist (`functions/`, `FUNCTIONS`), the event types toolflow emits, and the variables its code
 * reads. Each is read from the source it describes, so a manifest that drifts from the code fails.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { EventType, type EventTypeName } from '../../shared/events/catalog.js';
import { loadConfig } from '../../shared/runtime/config.js';

/** The repository's root folder. */
export const ROOT = join(import.meta.dirname, '../..');

/** One Kubernetes object of a manifest file, with where it was read. */
export interface Manifest {
  /** `knative/20-rbac.yaml#3`: the file, relative to the root, and the document's index. */
  where: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/**
 * Every object of the YAML files of `dir` (not its subfolders, as `kubectl apply -f dir`), in file
 * order; documents with nothing but comments are skipped, as kubectl skips them.
 * @throws Error naming the file and the YAML error (syntax, a key written twice).
 */
export function loadManifests(dir: string): Manifest[] {
  const out: Manifest[] = [];
  const files = readdirSync(join(ROOT, dir))
    .filter((f) => /\.ya?ml$/.test(f) && statSync(join(ROOT, dir, f)).isFile())
    .sort();
  for (const f of files) {
    const path = join(ROOT, dir, f);
    parseAllDocuments(readFileSync(path, 'utf8')).forEach((doc, i) => {
      if (doc.errors.length) throw new Error(`${relative(ROOT, path)}#${i}: ${doc.errors.map((e) => e.message).join('; ')}`);
      const value = doc.toJS() as Record<string, unknown> | null;
      if (value !== null) out.push({ ...value, where: `${relative(ROOT, path)}#${i}` } as Manifest);
    });
  }
  return out;
}

/** The objects of `knative/` that `kubectl apply -f knative/` applies. */
export const knative = (): Manifest[] => loadManifests('knative');

/** The task-host functions' objects (`knative/task-host/`, applied once the cluster issue makes them stateless). */
export const knativeTaskHost = (): Manifest[] => loadManifests('knative/task-host');

/** Every toolflow object of the Knative deployment: `knative/` and `knative/task-host/`. */
export const knativeAll = (): Manifest[] => [...knative(), ...knativeTaskHost()];

/** The example Secrets of `knative/secret/` (not applied by `kubectl apply -f knative/`). */
export const knativeSecrets = (): Manifest[] => loadManifests('knative/secret');

/** The objects of `manifests` of one kind. */
export function ofKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

/** A function of faas-cli's stack file (the go-sdk's `stack.Function`, the fields used here). */
export interface StackFunction {
  lang?: string;
  handler?: string;
  image: string;
  fprocess?: string;
  environment?: Record<string, string>;
  environment_file?: string[];
  secrets?: string[];
  skip_build?: boolean;
  labels?: Record<string, string>;
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
  readonly_root_filesystem?: boolean;
  [field: string]: unknown;
}

/** `stack.yml` as faas-cli reads it. */
export interface Stack {
  version: unknown;
  provider: { name: string; gateway: string };
  functions: Record<string, StackFunction>;
}

/** The raw text of `stack.yml`. */
export const stackText = (): string => readFileSync(join(ROOT, 'stack.yml'), 'utf8');

/**
 * `stack.yml`, parsed (YAML errors, a key written twice included, are thrown).
 * @throws Error with the YAML error.
 */
export function loadStack(): Stack {
  return parse(stackText(), { uniqueKeys: true }) as Stack;
}

/**
 * The `environment` of a faas-cli environment file (`environment_file`), path relative to the root
 * (faas-cli reads it relative to the directory it runs in: the root).
 */
export function loadEnvironmentFile(path: string): Record<string, string> {
  return (parse(readFileSync(join(ROOT, path), 'utf8'), { uniqueKeys: true }) as { environment: Record<string, string> }).environment;
}

/** The names of `functions/<name>/` that have an `index.ts`. */
export function functionDirs(): string[] {
  const dir = join(ROOT, 'functions');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'index.ts')))
    .sort();
}

/** Every `.ts` file under `dir` (relative to the root), recursively. */
function sources(dir: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(abs, f));
}

/** EventType's key → its type name (`taskSubmitted` → `io.toolflow.task.submitted`). */
const TYPE_OF_KEY = new Map<string, EventTypeName>(Object.entries(EventType));

/**
 * The event types toolflow's code makes (`makeEvent(EventType.x, …)`) in the handlers, the work
 * manager, the runtime (which re-emits a final event, and a CLI cancel), the API and the catalog's
 * own builders (`attemptFailedEvent`, which handle-status and the work manager call), found in their
 * sources (a call may span lines: `makeEvent(\n  EventType.x,`).
 * @throws Error naming a `makeEvent` call whose type is not an `EventType` key.
 */
export function emittedTypes(): Set<EventTypeName> {
  const out = new Set<EventTypeName>();
  for (const file of [...sources('shared/handlers'), ...sources('shared/work-manager'), ...sources('shared/runtime'), ...sources('shared/api'), join(ROOT, 'shared/events/catalog.ts')]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/makeEvent\(\s*EventType\.(\w+)/g)) {
      const type = TYPE_OF_KEY.get(m[1]!);
      if (!type) throw new Error(`${relative(ROOT, file)}: makeEvent(EventType.${m[1]}) is not a type of shared/events/catalog.ts`);
      out.add(type);
    }
  }
  return out;
}

/**
 * The environment variables `loadConfig` (shared/runtime/config.ts) reads, measured: it is called
 * with an environment that records every name asked for, once empty (embedded mode) and once with
 * every service set (so the reads behind a set variable happen too).
 */
export function variablesConfigReads(): Set<string> {
  const read = new Set<string>();
  const recording = (values: Record<string, string>) =>
    new Proxy(values, {
      get(target, key) {
        if (typeof key === 'string') read.add(key);
        return target[key as string];
      },
    }) as NodeJS.ProcessEnv;
  loadConfig(recording({ USER: 'test' }));
  loadConfig(
    recording({
      USER: 'test',
      TOOLFLOW_DATABASE_URL: 'mysql://u:p@db:3306/toolflow',
      TOOLFLOW_AMQP_URL: 'amqp://u:p@mq:5672',
      TOOLFLOW_ETCD_ENDPOINTS: 'http://etcd:2379',
      TOOLFLOW_S3_BUCKET: 'b',
      TOOLFLOW_S3_ENDPOINT: 'http://s3:9000',
      TOOLFLOW_S3_REGION: 'us-east-1',
      TOOLFLOW_CPUS: '2',
      TOOLFLOW_MEMORY: '4Gi',
      K_SINK: 'http://broker/',
    }),
  );
  return read;
}

/**
 * The variables other code of `shared/` and `functions/` reads from an environment, found in its
 * sources: `env.NAME` and `env['NAME']` (the executor's pass-through list, the connector's targets,
 * `http_port`…), and a `TOOLFLOW_*` name written as a whole string literal (`size('TOOLFLOW_API_UPLOAD_LIMIT')`,
 * read through a helper).
 */
export function variablesCodeReads(): Set<string> {
  const out = new Set<string>();
  for (const file of [...sources('shared'), ...sources('functions')]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\benv\s*(?:\.\s*|\[\s*['"])([A-Za-z_][A-Za-z0-9_]*)/g)) out.add(m[1]!);
    for (const m of text.matchAll(/['"`](TOOLFLOW_[A-Z0-9_]+)['"`]/g)) out.add(m[1]!);
  }
  return out;
}

/**
 * Variables a manifest may set that toolflow's code does not read itself, each with who reads it.
 * Every other variable a manifest sets must be one `variablesConfigReads` or `variablesCodeReads` finds.
 */
export const OTHER_READERS: Record<string, string> = {
  AWS_ACCESS_KEY_ID: "the AWS SDK's default credential chain (the S3 object store; README, services mode)",
  AWS_SECRET_ACCESS_KEY: "the AWS SDK's default credential chain",
};

/**
 * of-watchdog's variables (github.com/openfaas/of-watchdog, README "Configuration"; config/config.go),
 * which stack.yml may set too.
 */
export const WATCHDOG_VARIABLES = new Set([
  'mode',
  'upstream_url',
  'http_upstream_url',
  'fprocess',
  'function_process',
  'exec_timeout',
  'read_timeout',
  'write_timeout',
  'healthcheck_interval',
  'prefix_logs',
  'ready_path',
  'max_inflight',
  'buffer_http',
  'http_buffer_req_body',
  'log_buffer_size',
  'log_callid',
  'suppress_lock',
  'port',
]);

/** The variable an OpenFaaS secret becomes (deploy/with-secrets.sh): upper case, `-` → `_`. */
export function variableOfSecret(secret: string): string {
  return secret.toUpperCase().replaceAll('-', '_');
}
