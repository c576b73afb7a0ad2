/**
 * knative/: every object parses and validates against the Kubernetes and Knative schemas
 * (kubernetes-models, @kubernetes-models/knative: JSON Schemas generated from the Kubernetes OpenAPI
 * document and from Knative 1.10's CRDs). Those validators check types and required fields, but
 * not unknown fields (a CRD's schema does not forbid them) nor most enums, so what toolflow depends
 * on is checked by hand here too: the fields Knative and eventing-rabbitmq's webhooks refuse, and
 * the RabbitmqBrokerConfig, which no package models (eventing-rabbitmq's CRD
 * `config/broker/300-rabbitmqbrokerconfig.yaml` and `pkg/apis/eventing/v1alpha1/*_validation.go`
 * are the source of those rules).
 */
import { Broker, Trigger } from '@kubernetes-models/knative/eventing.knative.dev/v1';
import { Service as KnativeService } from '@kubernetes-models/knative/serving.knative.dev/v1';
import { SinkBinding } from '@kubernetes-models/knative/sources.knative.dev/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Secret, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../shared/runtime/runtime.js';
import { knative, knativeAll, knativeSecrets, knativeTaskHost, ofKind, type Manifest } from './manifests.js';

/** A model class: constructed from an object, `validate()` throws on a schema violation. */
type ModelClass = new (data: never) => { validate(): void };

/** The model of each `apiVersion/kind` used in knative/. */
const MODELS: Record<string, ModelClass> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'serving.knative.dev/v1/Service': KnativeService,
  'eventing.knative.dev/v1/Broker': Broker,
  'eventing.knative.dev/v1/Trigger': Trigger,
  'sources.knative.dev/v1/SinkBinding': SinkBinding,
};

/** Kinds no package models, checked by hand below. */
const HAND_CHECKED = new Set(['eventing.knative.dev/v1alpha1/RabbitmqBrokerConfig']);

const all = [...knativeAll(), ...knativeSecrets()];
const byName = (kind: string, name: string) => all.find((m) => m.kind === kind && m.metadata.name === name);
/** A DNS-1123 label (Kubernetes names of Services, Namespaces, ServiceAccounts, Triggers). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Keys of `obj` that are not in `allowed`. */
function unknownKeys(obj: object, allowed: string[]): string[] {
  return Object.keys(obj).filter((k) => !allowed.includes(k));
}

describe('knative/ manifests', () => {
  it('parse, and each validates against its schema', () => {
    expect(all.length).toBeGreaterThan(20);
    for (const m of all) {
      const key = `${m.apiVersion}/${m.kind}`;
      if (HAND_CHECKED.has(key)) continue;
      const Model = MODELS[key];
      expect(Model, `${m.where}: no model for ${key}`).toBeDefined();
      const { where: _where, ...object } = m;
      expect(() => new Model!(object as never).validate(), m.where).not.toThrow();
    }
  });

  it('a validator refuses a broken object (the check above is not vacuous)', () => {
    const service = ofKind(knative(), 'Service')[0]!;
    const { where: _w, ...object } = structuredClone(service) as Manifest & { spec: { template: { spec: { containerConcurrency: unknown } } } };
    object.spec.template.spec.containerConcurrency = 'sixteen';
    expect(() => new KnativeService(object as never).validate()).toThrow(/containerConcurrency must be integer/);
    const trigger = ofKind(knative(), 'Trigger')[0]!;
    const { where: _t, ...t } = structuredClone(trigger) as Manifest & { spec: { delivery: { retry: unknown } } };
    t.spec.delivery.retry = '5';
    expect(() => new Trigger(t as never).validate()).toThrow(/retry must be integer/);
  });

  it('every object lives in the toolflow namespace, with a DNS-1123 name, and names are unique per kind', () => {
    const seen = new Set<string>();
    for (const m of all) {
      expect(m.metadata.name, m.where).toMatch(DNS_LABEL);
      if (m.kind !== 'Namespace') expect(m.metadata.namespace, m.where).toBe('toolflow');
      const key = `${m.kind}/${m.metadata.name}`;
      expect(seen.has(key), `${m.where}: ${key} twice`).toBe(false);
      seen.add(key);
    }
    expect(ofKind(all, 'Namespace').map((n) => n.metadata.name)).toEqual(['toolflow']);
  });

  it('the RabbitmqBrokerConfig has only the CRD’s fields, a queue type it takes, and exactly one of name / connectionSecret', () => {
    const configs = ofKind(knative(), 'RabbitmqBrokerConfig');
    expect(configs).toHaveLength(1);
    const c = configs[0] as Manifest & { spec: Record<string, unknown> & { queueType?: string; rabbitmqClusterReference?: Record<string, unknown> } };
    expect(c.apiVersion).toBe('eventing.knative.dev/v1alpha1');
    expect(unknownKeys(c, ['where', 'apiVersion', 'kind', 'metadata', 'spec'])).toEqual([]);
    expect(unknownKeys(c.spec, ['vhost', 'queueType', 'rabbitmqClusterReference'])).toEqual([]);
    expect(['quorum', 'classic']).toContain(c.spec.queueType);
    const ref = c.spec.rabbitmqClusterReference!;
    expect(ref, 'rabbitmqClusterReference is required (ValidateRabbitMQClusterReference)').toBeDefined();
    expect(unknownKeys(ref, ['name', 'namespace', 'connectionSecret'])).toEqual([]);
    expect((ref.name === undefined) !== (ref.connectionSecret === undefined), 'set either name or connectionSecret, not both').toBe(true);
    const secretName = (ref.connectionSecret as { name: string }).name;
    expect(typeof secretName).toBe('string');
    // The connection Secret must carry uri, username and password; port is optional (default 5672).
    const secret = byName('Secret', secretName) as Manifest & { stringData: Record<string, string> };
    expect(secret, `the Secret ${secretName} the Broker connects with has an example in knative/secret/`).toBeDefined();
    for (const key of ['uri', 'username', 'password']) expect(Object.keys(secret.stringData)).toContain(key);
    expect(Number(secret.stringData.port)).toBeGreaterThan(0);
  });

  it('the Broker is a RabbitMQBroker whose config is the RabbitmqBrokerConfig, fully referenced, with retry, backoff and a dead-letter sink', () => {
    const brokers = ofKind(knative(), 'Broker') as (Manifest & { spec: { config: Record<string, string>; delivery: Record<string, unknown> } })[];
    expect(brokers).toHaveLength(1);
    const b = brokers[0]!;
    expect(b.metadata.annotations?.['eventing.knative.dev/broker.class']).toBe('RabbitMQBroker');
    // eventing-rabbitmq's Broker webhook wants all four, and only these two kinds.
    expect(b.spec.config).toEqual({ apiVersion: 'eventing.knative.dev/v1alpha1', kind: 'RabbitmqBrokerConfig', name: expect.any(String), namespace: 'toolflow' });
    expect(byName('RabbitmqBrokerConfig', b.spec.config.name!)).toBeDefined();
    checkDelivery(b.spec.delivery, b.where);
  });

  it('every Trigger names the Broker, filters on type alone, calls a Service of knative/, and retries with exponential backoff into the dead-letter sink', () => {
    const triggers = ofKind(knativeAll(), 'Trigger') as (Manifest & { spec: Record<string, unknown> & { broker: string; filter: { attributes: Record<string, string> }; subscriber: { ref: Record<string, string> }; delivery: Record<string, unknown> } })[];
    expect(triggers.length).toBeGreaterThan(0);
    const broker = ofKind(knative(), 'Broker')[0]!.metadata.name;
    for (const t of triggers) {
      expect(unknownKeys(t.spec, ['broker', 'filter', 'subscriber', 'delivery'])).toEqual([]);
      expect(t.spec.broker, t.where).toBe(broker);
      expect(Object.keys(t.spec.filter.attributes), `${t.where}: eventing-rabbitmq binds by exact attributes; toolflow filters on type only`).toEqual(['type']);
      const ref = t.spec.subscriber.ref;
      expect(ref.apiVersion).toBe('serving.knative.dev/v1');
      expect(ref.kind).toBe('Service');
      expect(ref.namespace).toBe('toolflow');
      expect(byName('Service', ref.name!), `${t.where}: subscriber ${ref.name}`).toBeDefined();
      checkDelivery(t.spec.delivery, t.where);
      // eventing-rabbitmq's Trigger webhook: an integer from 1 to 1000.
      const parallelism = t.metadata.annotations?.['rabbitmq.eventing.knative.dev/parallelism'];
      expect(parallelism, t.where).toMatch(/^\d+$/);
      expect(Number(parallelism)).toBeGreaterThanOrEqual(1);
      expect(Number(parallelism)).toBeLessThanOrEqual(1000);
    }
  });

  it('every Knative Service uses only fields Knative allows, and its autoscaling, config, account and probes hold together', () => {
    const services = ofKind(knativeAll(), 'Service') as (Manifest & { spec: { template: { metadata?: { annotations?: Record<string, string> }; spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } } })[];
    expect(services.length).toBeGreaterThan(0);
    for (const s of services) {
      const pod = s.spec.template.spec;
      expect(unknownKeys(pod, ['serviceAccountName', 'containerConcurrency', 'timeoutSeconds', 'containers']), s.where).toEqual([]);
      expect(pod.containers, `${s.where}: one container (Knative serves one port of one container)`).toHaveLength(1);
      const c = pod.containers[0]! as Record<string, unknown> & { envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[]; ports?: { containerPort: number; name: string }[] };
      expect(unknownKeys(c, ['name', 'image', 'args', 'ports', 'envFrom', 'readinessProbe', 'livenessProbe', 'resources', 'securityContext']), s.where).toEqual([]);
      expect(byName('ServiceAccount', pod.serviceAccountName as string), `${s.where}: its ServiceAccount`).toBeDefined();
      const a = s.spec.template.metadata?.annotations ?? {};
      for (const k of Object.keys(a)) expect(['autoscaling.knative.dev/metric', 'autoscaling.knative.dev/target', 'autoscaling.knative.dev/min-scale', 'autoscaling.knative.dev/max-scale'], `${s.where}: ${k}`).toContain(k);
      const min = Number(a['autoscaling.knative.dev/min-scale']);
      const max = Number(a['autoscaling.knative.dev/max-scale']);
      expect(Number.isInteger(min) && min >= 0, `${s.where}: min-scale`).toBe(true);
      expect(Number.isInteger(max) && max >= Math.max(1, min), `${s.where}: max-scale`).toBe(true);
      for (const ref of c.envFrom ?? []) {
        if (ref.configMapRef) expect(byName('ConfigMap', ref.configMapRef.name), `${s.where}: ConfigMap ${ref.configMapRef.name}`).toBeDefined();
        if (ref.secretRef) expect(byName('Secret', ref.secretRef.name), `${s.where}: Secret ${ref.secretRef.name} (example in knative/secret/)`).toBeDefined();
      }
      if (s.metadata.labels?.['app.kubernetes.io/component'] === 'dead-letter-sink') continue;
      // toolflow's functions: concurrency target = hard limit, on port 8080 (Knative sets PORT to
      // it, which `node dist/functions/<name>/index.js` reads; `toolflow …` is told --port).
      expect(a['autoscaling.knative.dev/metric'], s.where).toBe('concurrency');
      expect(Number(a['autoscaling.knative.dev/target']), s.where).toBe(pod.containerConcurrency);
      expect(c.ports, s.where).toEqual([{ name: 'http1', containerPort: 8080 }]);
      const args = c.args as string[];
      if (args[0] === 'toolflow') expect(args.slice(-2), `${s.where}: listens where Knative sends`).toEqual(['--port', '8080']);
      // `toolflow serve` and `toolflow function` serve 127.0.0.1 unless told otherwise: a container must serve its pod's address.
      if (args[0] === 'toolflow') expect(args.slice(-4, -2), `${s.where}: serves every interface of its container`).toEqual(['--host', '0.0.0.0']);
      else expect(args, s.where).toEqual(['node', `/app/dist/functions/${s.metadata.name}/index.js`]);
      expect(c.readinessProbe).toEqual({ httpGet: { path: '/health/readiness' } });
      expect(c.livenessProbe).toEqual({ httpGet: { path: '/health/liveness' } });
      // notify alone also reads its own Secret (the robots, the Alertmanager token), optional: without it, it sends nothing.
      const own = s.metadata.name === 'notify' ? [{ secretRef: { name: 'toolflow-notify', optional: true } }] : [];
      expect(c.envFrom).toEqual([{ configMapRef: { name: 'toolflow-config' } }, { secretRef: { name: 'toolflow-secrets' } }, ...own]);
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    }
  });

  it('sets no TOOLFLOW_FUNCTION_SECRET (a Trigger cannot send a header): the event functions are cluster-local instead', () => {
    const set = [...ofKind(knativeAll(), 'ConfigMap'), ...ofKind(knativeSecrets(), 'Secret')].flatMap((m) => Object.keys({ ...(m as { data?: object }).data, ...(m as { stringData?: object }).stringData }));
    expect(set.length).toBeGreaterThan(3);
    expect(set).not.toContain('TOOLFLOW_FUNCTION_SECRET');
    const eventFunctions = new Set(FUNCTIONS.map((f) => f.name));
    const services = ofKind(knativeAll(), 'Service').filter((s) => eventFunctions.has(s.metadata.name));
    expect(services.map((s) => s.metadata.name).sort()).toEqual([...eventFunctions].sort());
    for (const s of services) expect(s.metadata.labels?.['networking.knative.dev/visibility'], s.where).toBe('cluster-local');
  });

  it('the SinkBinding gives K_SINK = the Broker to exactly the event functions (those of FUNCTIONS), here and in knative/task-host/', () => {
    const bindings = ofKind(knativeAll(), 'SinkBinding') as (Manifest & { spec: { subject: { apiVersion: string; kind: string; selector: { matchLabels: Record<string, string> } }; sink: { ref: Record<string, string> } } })[];
    expect(bindings).toHaveLength(1);
    const { subject, sink } = bindings[0]!.spec;
    expect(sink.ref).toEqual({ apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: ofKind(knative(), 'Broker')[0]!.metadata.name, namespace: 'toolflow' });
    expect([subject.apiVersion, subject.kind]).toEqual(['serving.knative.dev/v1', 'Service']);
    const selected = ofKind(knativeAll(), 'Service').filter((s) => Object.entries(subject.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v));
    expect(selected.map((s) => s.metadata.name).sort()).toEqual(FUNCTIONS.map((f) => f.name).sort());
  });

  it('`kubectl apply -f knative/` applies no task-host function; knative/task-host/ holds exactly those two, their Triggers and their RBAC', () => {
    const hostNames = FUNCTIONS.filter((f) => f.placement === 'task-host').map((f) => f.name).sort();
    expect(hostNames).toEqual(['schedule-tool', 'start-workflow']);
    const named = (m: Manifest) => m.metadata.labels?.['app.kubernetes.io/name'] ?? m.metadata.name;
    for (const m of knative()) expect(hostNames, m.where).not.toContain(named(m));
    for (const m of knativeTaskHost()) {
      if (m.kind === 'Role' || m.kind === 'RoleBinding') continue;
      expect(hostNames, m.where).toContain(named(m));
    }
    expect(ofKind(knativeTaskHost(), 'Service').map((s) => s.metadata.name).sort()).toEqual(hostNames);
  });
});

/**
 * A delivery spec toolflow relies on: at least one retry, exponential backoff (`linear` and
 * `exponential` are Knative's two policies), an ISO-8601 duration as the first delay, and a
 * dead-letter sink that is a Service of knative/ but not a toolflow function.
 */
function checkDelivery(delivery: Record<string, unknown>, where: string): void {
  expect(delivery.retry, where).toBe(5);
  expect(delivery.backoffPolicy, where).toBe('exponential');
  expect(delivery.backoffDelay, where).toMatch(/^PT(\d+(\.\d+)?S)$/);
  const ref = (delivery.deadLetterSink as { ref: Record<string, string> }).ref;
  expect([ref.apiVersion, ref.kind, ref.namespace]).toEqual(['serving.knative.dev/v1', 'Service', 'toolflow']);
  const sink = byName('Service', ref.name!);
  expect(sink, `${where}: dead-letter sink ${ref.name}`).toBeDefined();
  expect(sink!.metadata.labels?.['app.kubernetes.io/component']).toBe('dead-letter-sink');
}
