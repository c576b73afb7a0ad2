/**
 * The deployments agree with the code: the Triggers with the functions' `consumes` and with what
 * toolflow emits, the functions of stack.yml and knative/ with `functions/`, every variable a
 * manifest sets with what the code reads, and RBAC with the two task-host functions.
 */
import { describe, expect, it } from 'vitest';
import { EventType, type EventTypeName } from '../../shared/events/catalog.js';
import { FUNCTIONS } from '../../shared/runtime/runtime.js';
import {
  emittedTypes,
  functionDirs,
  knative,
  knativeAll,
  knativeSecrets,
  loadEnvironmentFile,
  loadStack,
  ofKind,
  OTHER_READERS,
  variableOfSecret,
  variablesCodeReads,
  variablesConfigReads,
  WATCHDOG_VARIABLES,
  type Manifest,
} from './manifests.js';

/** The request/response functions and the user API: in functions/ and the manifests, not in FUNCTIONS (they take no events). */
const REQUEST_RESPONSE = ['api', 'upload', 'validate'];
/** The eight functions of issue 8 (notes/issue8.md, "Names") and notify (issue 12). */
const FUNCTION_NAMES = ['api', 'enqueue', 'handle-status', 'notify', 'rerun-policy', 'schedule-tool', 'start-workflow', 'upload', 'validate'];

type TriggerManifest = Manifest & { spec: { filter: { attributes: { type: string } }; subscriber: { ref: { name: string } } } };
const triggers = () => ofKind(knativeAll(), 'Trigger') as TriggerManifest[];
const toolflowServices = () => ofKind(knativeAll(), 'Service').filter((s) => s.metadata.labels?.['app.kubernetes.io/component'] !== 'dead-letter-sink');
const concurrencyOf = (name: string) => FUNCTIONS.find((f) => f.name === name)?.concurrency ?? 1;

describe('deployment topology', () => {
  it('every Trigger filter is a type of the catalog that toolflow emits', () => {
    const catalog = new Set<string>(Object.values(EventType));
    const emitted = emittedTypes();
    for (const t of triggers()) {
      const type = t.spec.filter.attributes.type;
      expect(catalog.has(type), `${t.where}: ${type} is not in shared/events/catalog.ts`).toBe(true);
      expect(emitted.has(type as EventTypeName), `${t.where}: nothing emits ${type}`).toBe(true);
    }
  });

  it('every type a function consumes has exactly one Trigger to that function, and no Trigger delivers what its function does not take', () => {
    const want = FUNCTIONS.flatMap((f) => f.consumes.map((type) => `${f.name} <- ${type}`)).sort();
    const have = triggers().map((t) => `${t.spec.subscriber.ref.name} <- ${t.spec.filter.attributes.type}`).sort();
    expect(have).toEqual(want);
  });

  it('what toolflow emits and no function consumes is exactly tool.succeeded and task.started (no Trigger: they go to the task’s host)', () => {
    const consumed = new Set<string>(FUNCTIONS.flatMap((f) => f.consumes));
    const untriggered = [...emittedTypes()].filter((t) => !consumed.has(t)).sort();
    // tool.succeeded: the work manager's subscription (work-manager.ts), as tool.retrying and
    // tool.failed are (notify consumes those too, with Triggers of its own); task.started:
    // informational. Adding a consumer of any of them needs a Trigger.
    expect(untriggered).toEqual([EventType.taskStarted, EventType.toolSucceeded].sort());
  });

  it('each Trigger dispatches at the function’s concurrency, which its Service takes at once', () => {
    for (const t of triggers()) {
      const fn = t.spec.subscriber.ref.name;
      expect(Number(t.metadata.annotations?.['rabbitmq.eventing.knative.dev/parallelism']), t.where).toBe(concurrencyOf(fn));
    }
    for (const s of toolflowServices()) {
      if (REQUEST_RESPONSE.includes(s.metadata.name)) continue;
      const pod = (s as Manifest & { spec: { template: { spec: { containerConcurrency: number } } } }).spec.template.spec;
      expect(pod.containerConcurrency, s.where).toBe(concurrencyOf(s.metadata.name));
    }
  });

  it('the functions of stack.yml and knative/ are those of functions/, the eight names of issue 8 and notify (stack.yml adds the connector)', () => {
    const dirs = functionDirs();
    expect(dirs).toEqual(FUNCTION_NAMES);
    for (const f of FUNCTIONS) expect(dirs, `${f.name} of FUNCTIONS`).toContain(f.name);
    expect(toolflowServices().map((s) => s.metadata.name).sort()).toEqual(dirs);
    expect(Object.keys(loadStack().functions).sort()).toEqual([...dirs, 'connector'].sort());
  });

  it('each function runs as what it is: the API as `toolflow serve`, the connector as `toolflow connector`, a shared event function under faas-js-runtime on Knative, the rest as their functions/ module', () => {
    const shared = new Set(FUNCTIONS.filter((f) => f.placement === 'shared').map((f) => f.name));
    const module = (name: string) => ['node', `/app/dist/functions/${name}/index.js`];
    const knativeCommand = (name: string) => (name === 'api' ? ['toolflow', 'serve'] : shared.has(name) ? ['toolflow', 'function', name] : module(name));
    // of-watchdog's HTTP mode reads raw bodies through the modules' own server (functions/: `serve`).
    const openFaasCommand = (name: string) => (name === 'api' ? ['toolflow', 'serve'] : name === 'connector' ? ['toolflow', 'connector'] : module(name));
    for (const s of toolflowServices()) {
      const args = (s as Manifest & { spec: { template: { spec: { containers: { args: string[] }[] } } } }).spec.template.spec.containers[0]!.args;
      expect(args.slice(0, knativeCommand(s.metadata.name).length), s.where).toEqual(knativeCommand(s.metadata.name));
    }
    for (const [name, f] of Object.entries(loadStack().functions)) {
      expect(f.fprocess!.split(' ').slice(0, openFaasCommand(name).length), `stack.yml ${name}`).toEqual(openFaasCommand(name));
    }
  });

  it('every variable a manifest sets is one toolflow reads (or one of the AWS SDK, or of-watchdog in stack.yml)', () => {
    const reads = new Set([...variablesConfigReads(), ...variablesCodeReads()]);
    // The measurement itself: the config's reads include the ones every deployment needs.
    for (const v of ['TOOLFLOW_DATABASE_URL', 'TOOLFLOW_AMQP_URL', 'TOOLFLOW_S3_BUCKET', 'TOOLFLOW_S3_ENDPOINT', 'TOOLFLOW_S3_REGION', 'TOOLFLOW_ETCD_ENDPOINTS', 'TOOLFLOW_NAMESPACE', 'TOOLFLOW_HOME', 'TOOLFLOW_LOG_LEVEL']) expect(reads).toContain(v);
    const known = (v: string) => reads.has(v) || v in OTHER_READERS;
    const set: { where: string; name: string }[] = [];
    for (const m of ofKind(knativeAll(), 'ConfigMap')) for (const name of Object.keys((m as Manifest & { data: object }).data)) set.push({ where: m.where, name });
    for (const m of ofKind(knativeSecrets(), 'Secret')) {
      if (m.metadata.name === 'toolflow-rabbitmq') continue; // read by eventing-rabbitmq (its connectionSecret), not by toolflow: see knative.test.ts
      for (const name of Object.keys((m as Manifest & { stringData: object }).stringData)) set.push({ where: m.where, name });
    }
    for (const s of ofKind(knativeAll(), 'Service')) {
      for (const c of (s as Manifest & { spec: { template: { spec: { containers: { env?: { name: string }[] }[] } } } }).spec.template.spec.containers) {
        for (const e of c.env ?? []) set.push({ where: s.where, name: e.name });
      }
    }
    for (const [name, f] of Object.entries(loadStack().functions)) {
      for (const v of Object.keys(f.environment ?? {})) set.push({ where: `stack.yml ${name}`, name: v });
      for (const file of f.environment_file ?? []) for (const v of Object.keys(loadEnvironmentFile(file))) set.push({ where: `${file} (${name})`, name: v });
      for (const secret of f.secrets ?? []) set.push({ where: `stack.yml ${name} secret ${secret}`, name: variableOfSecret(secret) });
    }
    expect(set.length).toBeGreaterThan(20);
    for (const { where, name } of set) {
      const ok = known(name) || (where.startsWith('stack.yml') || where.startsWith('deploy/')) && WATCHDOG_VARIABLES.has(name);
      expect(ok, `${where}: ${name} is read by nothing`).toBe(true);
    }
  });

  it('only start-workflow and schedule-tool get RBAC: Jobs, Pods and Services in their namespace, nothing cluster-wide; other accounts mount no token', () => {
    expect(ofKind(knative(), 'Role'), 'knative/ alone grants nothing').toEqual([]);
    expect(ofKind(knative(), 'RoleBinding')).toEqual([]);
    const m = knativeAll();
    expect(ofKind(m, 'ClusterRole')).toEqual([]);
    expect(ofKind(m, 'ClusterRoleBinding')).toEqual([]);
    const bound = ofKind(m, 'RoleBinding').flatMap((b) => (b as Manifest & { subjects: { kind: string; name: string; namespace: string }[] }).subjects);
    expect(bound.map((s) => `${s.kind}/${s.namespace}/${s.name}`).sort()).toEqual(['ServiceAccount/toolflow/schedule-tool', 'ServiceAccount/toolflow/start-workflow']);
    for (const role of ofKind(m, 'Role') as (Manifest & { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] })[]) {
      for (const r of role.rules) {
        for (const g of r.apiGroups) for (const res of r.resources) expect(['batch/jobs', '/pods', '/services'], role.where).toContain(`${g}/${res}`);
        expect(r.verbs, `${role.where}: no wildcard`).not.toContain('*');
      }
    }
    for (const sa of ofKind(m, 'ServiceAccount') as (Manifest & { automountServiceAccountToken: boolean })[]) {
      expect(sa.automountServiceAccountToken, sa.where).toBe(['start-workflow', 'schedule-tool'].includes(sa.metadata.name));
    }
    // Each function runs under its own account.
    for (const s of ofKind(m, 'Service')) {
      expect((s as Manifest & { spec: { template: { spec: { serviceAccountName: string } } } }).spec.template.spec.serviceAccountName, s.where).toBe(s.metadata.name);
    }
  });
});
