/**
 * stack.yml for faas-cli: no package validates it, so it is checked by hand against faas-cli's own
 * rules (github.com/openfaas/go-sdk `stack/schema.go` and `stack/stack.go`, faas-cli `commands/`):
 * provider `openfaas`, schema version 1.0, only the fields a function has (yaml.v3 ignores a
 * misspelt one silently), one build, environment files that faas-cli merges over a function's own
 * environment, secrets, autoscaling labels, requests and limits; and against of-watchdog's HTTP
 * mode (it splits `fprocess` on single spaces, and forwards to `upstream_url`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../shared/runtime/runtime.js';
import { parseBytes, parseCpu } from '../../shared/spec/resources.js';
import { loadEnvironmentFile, loadStack, ROOT, stackText, variableOfSecret } from './manifests.js';

/** The fields of `stack.Function` (go-sdk stack/schema.go). */
const FUNCTION_FIELDS = ['lang', 'handler', 'image', 'fprocess', 'environment', 'secrets', 'skip_build', 'constraints', 'environment_file', 'labels', 'limits', 'requests', 'readonly_root_filesystem', 'build_options', 'annotations', 'namespace', 'build_args', 'platforms', 'build_secrets'];
/** The labels OpenFaaS's autoscaler reads (docs.openfaas.com, "Autoscaling"). */
const SCALE_LABELS = ['com.openfaas.scale.min', 'com.openfaas.scale.max', 'com.openfaas.scale.target', 'com.openfaas.scale.type', 'com.openfaas.scale.zero'];
/** A DNS-1123 label: OpenFaaS function and secret names become Kubernetes names. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

const stack = loadStack();
const functions = Object.entries(stack.functions);
const concurrencyOf = (name: string) => FUNCTIONS.find((f) => f.name === name)?.concurrency ?? 1;

describe('stack.yml', () => {
  it('is a faas-cli stack: provider openfaas, version 1.0, and nothing faas-cli would substitute', () => {
    expect(stack.provider.name).toBe('openfaas');
    expect(stackText()).toMatch(/^version: 1\.0$/m);
    // faas-cli runs envsubst over the file by default: a `$` would be replaced.
    expect(stackText()).not.toContain('$');
  });

  it('each function has only fields faas-cli knows, a DNS-1123 name, and the one image', () => {
    const images = new Set(functions.map(([, f]) => f.image));
    expect(images.size).toBe(1);
    for (const [name, f] of functions) {
      expect(name).toMatch(DNS_LABEL);
      expect(Object.keys(f).filter((k) => !FUNCTION_FIELDS.includes(k)), name).toEqual([]);
      expect(f.readonly_root_filesystem, `${name}: only /tmp is written (TOOLFLOW_HOME=/tmp/toolflow)`).toBe(true);
    }
  });

  it('builds the image once, from the Dockerfile at the root; every other function reuses it', () => {
    const built = functions.filter(([, f]) => !f.skip_build);
    expect(built.map(([n]) => n)).toHaveLength(1);
    const [, f] = built[0]!;
    expect([f.lang, f.handler]).toEqual(['dockerfile', '.']);
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
    for (const [name, other] of functions) if (other !== f) expect(other.lang, `${name}: skip_build needs no template`).toBeUndefined();
  });

  it('environment files exist and never set a variable the function sets itself (faas-cli lets the file win)', () => {
    for (const [name, f] of functions) {
      for (const file of f.environment_file ?? []) {
        const env = loadEnvironmentFile(file);
        for (const v of Object.values(env)) expect(typeof v, `${file}: every value a string`).toBe('string');
        const both = Object.keys(f.environment ?? {}).filter((k) => k in env);
        expect(both, `${name}: set in both its environment and ${file}`).toEqual([]);
      }
      for (const v of Object.values(f.environment ?? {})) expect(typeof v, name).toBe('string');
    }
  });

  it('runs every function in of-watchdog’s HTTP mode, its process listening where upstream_url points', () => {
    for (const [name, f] of functions) {
      const env = { ...f.environment, ...Object.assign({}, ...(f.environment_file ?? []).map(loadEnvironmentFile)) } as Record<string, string>;
      expect(env.mode, name).toBe('http');
      const upstream = new URL(env.upstream_url!);
      expect(upstream.hostname, name).toBe('127.0.0.1');
      expect(f.fprocess, `${name}: of-watchdog splits fprocess on single spaces`).toMatch(/^\S+( \S+)*$/);
      const words = f.fprocess!.split(' ');
      if (name === 'connector') continue; // serves no HTTP: the watchdog answers its health checks
      const port = words.includes('--port') ? words[words.indexOf('--port') + 1] : env.http_port;
      expect(port, `${name}: listens on upstream_url's port`).toBe(upstream.port);
      expect(env.ready_path, `${name}: /_/ready asks the function`).toBe('/health/readiness');
    }
  });

  it('gives each function the secrets it reads, each one a variable once deploy/with-secrets.sh exports it', () => {
    for (const [name, f] of functions) {
      for (const s of f.secrets ?? []) expect(s, name).toMatch(DNS_LABEL);
      const vars = (f.secrets ?? []).map(variableOfSecret);
      // upload and validate answer their caller, notify tells people: none of them publishes (no broker).
      const publishesNothing = ['upload', 'validate', 'notify'].includes(name);
      expect(vars, `${name}: the broker`).toContain(publishesNothing ? 'TOOLFLOW_DATABASE_URL' : 'TOOLFLOW_AMQP_URL');
      // The connector and every event function share the function secret: the gateway lets anyone
      // invoke a function, and an event function refuses a call without it (401).
      const eventFunction = name === 'connector' || FUNCTIONS.some((fn) => fn.name === name);
      if (eventFunction) expect(vars, `${name}: the function secret`).toContain('TOOLFLOW_FUNCTION_SECRET');
      else expect(vars, `${name}: no function secret (it is not called by the connector)`).not.toContain('TOOLFLOW_FUNCTION_SECRET');
      if (name === 'connector') {
        expect(vars, 'the connector reads the broker and the function secret only').toEqual(['TOOLFLOW_AMQP_URL', 'TOOLFLOW_FUNCTION_SECRET']);
        continue;
      }
      // Every other process opens the store and the object store (S3 is checked at start-up).
      expect(vars, name).toEqual(expect.arrayContaining(['TOOLFLOW_DATABASE_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']));
      // upload, validate and notify publish nothing (shared/http/function-ports.ts `noBus`): no broker.
      if (publishesNothing) expect(vars, name).not.toContain('TOOLFLOW_AMQP_URL');
    }
  });

  it('scales by the com.openfaas.scale labels: whole numbers, min ≤ max, an event function’s target its concurrency', () => {
    for (const [name, f] of functions) {
      const labels = f.labels ?? {};
      for (const k of Object.keys(labels)) expect(SCALE_LABELS, `${name}: ${k}`).toContain(k);
      for (const k of ['com.openfaas.scale.min', 'com.openfaas.scale.max', 'com.openfaas.scale.target']) {
        expect(labels[k], `${name}: ${k} is a quoted whole number`).toMatch(/^\d+$/);
      }
      const [min, max] = [Number(labels['com.openfaas.scale.min']), Number(labels['com.openfaas.scale.max'])];
      expect(min, name).toBeGreaterThanOrEqual(1);
      expect(max, name).toBeGreaterThanOrEqual(min);
      if (labels['com.openfaas.scale.type'] !== undefined) expect(['capacity', 'rps', 'cpu']).toContain(labels['com.openfaas.scale.type']);
      if (FUNCTIONS.some((fn) => fn.name === name)) expect(Number(labels['com.openfaas.scale.target']), name).toBe(concurrencyOf(name));
    }
    // The processes that hold state in memory in this issue run one replica: the api (the tasks it
    // hosts), the task-host functions, and the connector (its prefetch is the functions' concurrency).
    // notify too: each robot's rate limit and digest are in its memory.
    for (const name of ['api', 'start-workflow', 'schedule-tool', 'connector', 'notify']) expect(stack.functions[name]!.labels!['com.openfaas.scale.max'], name).toBe('1');
  });

  it('requests and limits give cpu and memory in Kubernetes units, each request within its limit', () => {
    for (const [name, f] of functions) {
      expect(f.requests && f.limits, name).toBeTruthy();
      for (const r of [f.requests!, f.limits!]) expect(Object.keys(r).sort(), name).toEqual(['cpu', 'memory']);
      expect(parseCpu(f.requests!.cpu!), `${name}: cpu`).toBeLessThanOrEqual(parseCpu(f.limits!.cpu!));
      expect(parseBytes(f.requests!.memory!), `${name}: memory`).toBeLessThanOrEqual(parseBytes(f.limits!.memory!));
    }
  });

  it('the connector feeds exactly the shared event functions, through the gateway, by the names stack.yml deploys them under', () => {
    const targets = stack.functions.connector!.environment!.TOOLFLOW_CONNECTOR_TARGETS!.split(',').map((e) => e.split('='));
    const shared = FUNCTIONS.filter((f) => f.placement === 'shared').map((f) => f.name).sort();
    expect(targets.map(([n]) => n).sort()).toEqual(shared);
    for (const [name, url] of targets) expect(url, name).toBe(`http://gateway.openfaas:8080/function/${name}`);
  });

  it('the README deploys every function but the two task-host ones, which refuse to start on their own in this issue', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const m = /faas-cli up -f stack\.yml --regex '([^']+)'/.exec(readme);
    expect(m, 'the README gives the faas-cli up command').not.toBeNull();
    // Go's RE2 and JavaScript agree on this subset (anchors, a group, alternation).
    const selected = functions.map(([n]) => n).filter((n) => new RegExp(m![1]!).test(n)).sort();
    const hosts = FUNCTIONS.filter((f) => f.placement === 'task-host').map((f) => f.name);
    expect(selected).toEqual(functions.map(([n]) => n).filter((n) => !hosts.includes(n)).sort());
  });
});
