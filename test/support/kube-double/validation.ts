/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): validation of created and updated objects,
 * answered with 422 Invalid as the real API server does. The OpenAPI schema check is
 * `kubernetes-models`' `validate()`; on top of it the rules the schema cannot say, from
 * pkg/apis/core/validation and pkg/apis/batch/validation: DNS-1123 / DNS-1035 names (Jobs ≤ 63
 * characters, since the name becomes a label value), label syntax, container names unique and
 * images set, volume mounts naming volumes, env names, init-container restartPolicy, Job
 * restartPolicy Never/OnFailure, podFailurePolicy rules, Service ports, Secret and ConfigMap keys
 * and size (1 MiB).
 */
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Namespace, Pod, Secret, Service } from 'kubernetes-models/v1';
import { QUANTITY, parseQuantity } from './quantity.js';
import type { StatusCause } from './status.js';
import type { IContainer, JobObject, KubeObject, PodObject } from './types.js';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const MSG = {
  label: "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  subdomain: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  dns1035: "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  labelValue: "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  env: "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
};

/** Collects causes with the real messages' shapes. */
class Causes {
  readonly list: StatusCause[] = [];
  required(field: string, detail?: string): void {
    this.list.push({ reason: 'FieldValueRequired', message: `Required value${detail ? `: ${detail}` : ''}`, field });
  }
  invalid(field: string, value: unknown, detail: string): void {
    this.list.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${detail}`, field });
  }
  unsupported(field: string, value: unknown, supported: string[]): void {
    this.list.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`, field });
  }
  duplicate(field: string, value: unknown): void {
    this.list.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${JSON.stringify(value)}`, field });
  }
  notFound(field: string, value: unknown): void {
    this.list.push({ reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(value)}`, field });
  }
  forbidden(field: string, detail: string): void {
    this.list.push({ reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field });
  }
  tooLong(field: string, max: number): void {
    this.list.push({ reason: 'FieldValueTooLong', message: `Too long: must have at most ${max} bytes`, field });
  }
}

function name(c: Causes, field: string, value: string, rule: 'label' | 'subdomain' | 'dns1035', max: number): void {
  const re = rule === 'label' ? DNS1123_LABEL : rule === 'subdomain' ? DNS1123_SUBDOMAIN : DNS1035_LABEL;
  if (value.length > max) c.invalid(field, value, `must be no more than ${max} characters`);
  if (!re.test(value)) c.invalid(field, value, MSG[rule]);
}

function labels(c: Causes, field: string, l: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(l ?? {})) {
    const [prefix, key] = k.includes('/') ? [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)] : [undefined, k];
    if (prefix !== undefined) name(c, field, prefix, 'subdomain', 253);
    if (!key || key.length > 63 || !LABEL_VALUE.test(key)) c.invalid(field, k, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, and be at most 63 characters");
    if (typeof v !== 'string') c.invalid(`${field}`, v, 'label values must be strings');
    else {
      if (v.length > 63) c.invalid(field, v, 'must be no more than 63 characters');
      if (!LABEL_VALUE.test(v)) c.invalid(field, v, MSG.labelValue);
    }
  }
}

function metadata(c: Causes, o: KubeObject, rule: 'label' | 'subdomain' | 'dns1035', max: number): void {
  const m = o.metadata;
  if (!m.name) c.required('metadata.name', 'name or generateName is required');
  else name(c, 'metadata.name', m.name, rule, max);
  labels(c, 'metadata.labels', m.labels);
  const size = Object.entries(m.annotations ?? {}).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
  if (size > 262144) c.tooLong('metadata.annotations', 262144);
}

function container(c: Causes, p: string, ct: IContainer, volumes: Set<string>): void {
  if (!ct.name) c.required(`${p}.name`);
  else name(c, `${p}.name`, ct.name, 'label', 63);
  if (!ct.image || !ct.image.trim()) c.required(`${p}.image`);
  (ct.env ?? []).forEach((e, i) => {
    if (!e.name) c.required(`${p}.env[${i}].name`);
    else if (!ENV_NAME.test(e.name)) c.invalid(`${p}.env[${i}].name`, e.name, MSG.env);
    const sources = e.valueFrom ? Object.keys(e.valueFrom).filter((k) => (e.valueFrom as Record<string, unknown>)[k] !== undefined).length : 0;
    if (e.valueFrom && sources !== 1) c.invalid(`${p}.env[${i}].valueFrom`, '', 'may not have more than one field specified at a time');
    if (e.valueFrom && e.value !== undefined && e.value !== '') c.invalid(`${p}.env[${i}].valueFrom`, '', 'may not be specified when `value` is not empty');
  });
  (ct.volumeMounts ?? []).forEach((vm, i) => {
    if (!volumes.has(vm.name)) c.notFound(`${p}.volumeMounts[${i}].name`, vm.name);
    if (!vm.mountPath) c.required(`${p}.volumeMounts[${i}].mountPath`);
  });
  for (const kind of ['limits', 'requests'] as const) {
    for (const [r, q] of Object.entries(ct.resources?.[kind] ?? {})) {
      if (!QUANTITY.test(String(q))) c.invalid(`${p}.resources.${kind}[${r}]`, q, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    }
  }
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    const l = parseQuantity(ct.resources?.limits?.[r]);
    const q = parseQuantity(ct.resources?.requests?.[r]);
    if (l !== null && q !== null && q > l) c.invalid(`${p}.resources.requests`, String(ct.resources!.requests![r]), `must be less than or equal to ${r} limit of ${ct.resources!.limits![r]}`);
  }
}

/** Rules of a PodSpec, fields under `p` (`spec` or `spec.template.spec`). */
function podSpec(c: Causes, p: string, spec: IPodSpec | undefined): void {
  if (!spec) return c.required(p);
  const volumes = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    if (!v.name) c.required(`${p}.volumes[${i}].name`);
    else {
      name(c, `${p}.volumes[${i}].name`, v.name, 'label', 63);
      if (volumes.has(v.name)) c.duplicate(`${p}.volumes[${i}].name`, v.name);
      volumes.add(v.name);
    }
  });
  if (!spec.containers || spec.containers.length === 0) c.required(`${p}.containers`);
  const seen = new Set<string>();
  const each = (list: IContainer[] | undefined, field: string, init: boolean) =>
    (list ?? []).forEach((ct, i) => {
      const cp = `${p}.${field}[${i}]`;
      container(c, cp, ct, volumes);
      if (ct.name && seen.has(ct.name)) c.duplicate(`${cp}.name`, ct.name);
      if (ct.name) seen.add(ct.name);
      if (init && ct.restartPolicy !== undefined && ct.restartPolicy !== 'Always') c.unsupported(`${cp}.restartPolicy`, ct.restartPolicy, ['Always']);
      if (!init && ct.restartPolicy !== undefined) c.forbidden(`${cp}.restartPolicy`, 'may not be set for non-init containers');
      if (init && ct.restartPolicy !== 'Always') {
        for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
          if (ct[probe]) c.forbidden(`${cp}.${probe}`, 'may not be set for init containers without restartPolicy=Always');
        }
      }
    });
  each(spec.initContainers, 'initContainers', true);
  each(spec.containers, 'containers', false);
  const rp = spec.restartPolicy;
  if (rp !== undefined && !['Always', 'OnFailure', 'Never'].includes(rp)) c.unsupported(`${p}.restartPolicy`, rp, ['Always', 'OnFailure', 'Never']);
  if ((spec.terminationGracePeriodSeconds ?? 0) < 0) c.invalid(`${p}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0');
}

function job(c: Causes, j: JobObject): void {
  const s = j.spec;
  if (!s) return c.required('spec');
  if (!s.template) return c.required('spec.template');
  labels(c, 'spec.template.metadata.labels', s.template.metadata?.labels);
  podSpec(c, 'spec.template.spec', s.template.spec);
  const rp = s.template.spec?.restartPolicy;
  if (rp !== 'Never' && rp !== 'OnFailure') c.unsupported('spec.template.spec.restartPolicy', rp ?? '', ['OnFailure', 'Never']);
  for (const f of ['backoffLimit', 'parallelism', 'completions', 'ttlSecondsAfterFinished'] as const) {
    if (s[f] !== undefined && (s[f] as number) < 0) c.invalid(`spec.${f}`, s[f], 'must be greater than or equal to 0');
  }
  if (s.activeDeadlineSeconds !== undefined && s.activeDeadlineSeconds <= 0) c.invalid('spec.activeDeadlineSeconds', s.activeDeadlineSeconds, 'must be greater than 0');
  const names = new Set([...(s.template.spec?.containers ?? []), ...(s.template.spec?.initContainers ?? [])].map((x) => x.name));
  const pfp = s.podFailurePolicy;
  if (pfp) {
    if (rp !== 'Never') c.invalid('spec.template.spec.restartPolicy', rp, 'only "Never" is supported when podFailurePolicy is specified');
    if ((pfp.rules ?? []).length > 20) c.tooLong('spec.podFailurePolicy.rules', 20);
    (pfp.rules ?? []).forEach((r, i) => {
      const rf = `spec.podFailurePolicy.rules[${i}]`;
      if (!['FailJob', 'FailIndex', 'Ignore', 'Count'].includes(r.action)) c.unsupported(`${rf}.action`, r.action, ['Count', 'FailIndex', 'FailJob', 'Ignore']);
      if (!!r.onExitCodes === !!r.onPodConditions) c.invalid(rf, '', 'specifying one of OnExitCodes and OnPodConditions is required');
      const ec = r.onExitCodes;
      if (ec) {
        if (!['In', 'NotIn'].includes(ec.operator)) c.unsupported(`${rf}.onExitCodes.operator`, ec.operator, ['In', 'NotIn']);
        if (ec.containerName !== undefined && !names.has(ec.containerName)) c.invalid(`${rf}.onExitCodes.containerName`, ec.containerName, 'must be one of the container or initContainer names in the pod template');
        if (ec.values.length === 0) c.required(`${rf}.onExitCodes.values`, 'at least one value is required');
        if (new Set(ec.values).size !== ec.values.length) c.duplicate(`${rf}.onExitCodes.values`, ec.values);
        ec.values.forEach((v, k) => {
          if (ec.operator === 'In' && v === 0) c.invalid(`${rf}.onExitCodes.values[${k}]`, 0, 'must not be 0 for the In operator');
          if (k > 0 && v < ec.values[k - 1]!) c.invalid(`${rf}.onExitCodes.values[${k}]`, v, 'must be ordered');
        });
      }
      (r.onPodConditions ?? []).forEach((pc, k) => {
        if (!pc.type) c.required(`${rf}.onPodConditions[${k}].type`);
        if (pc.status !== undefined && !['True', 'False', 'Unknown'].includes(pc.status)) c.unsupported(`${rf}.onPodConditions[${k}].status`, pc.status, ['False', 'True', 'Unknown']);
      });
    });
  }
}

function dataKeys(c: Causes, o: KubeObject, fields: string[]): void {
  let size = 0;
  for (const f of fields) {
    for (const [k, v] of Object.entries((o[f] as Record<string, string> | undefined) ?? {})) {
      if (!CONFIG_KEY.test(k) || k.length > 253) c.invalid(`${f}[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
      if (o.kind === 'Secret' && f === 'data' && !/^[A-Za-z0-9+/]*={0,2}$/.test(String(v))) c.invalid(`${f}[${k}]`, '<secret contents redacted>', 'illegal base64 data');
      size += f === 'data' && o.kind === 'Secret' ? Buffer.from(String(v), 'base64').length : Buffer.byteLength(String(v));
    }
  }
  if (size > 1024 * 1024) c.tooLong(fields[0]!, 1024 * 1024);
}

function service(c: Causes, svc: KubeObject): void {
  const spec = svc.spec as { ports?: Array<{ name?: string; port?: number }>; clusterIP?: string; type?: string } | undefined;
  const ports = spec?.ports ?? [];
  if (ports.length === 0 && spec?.clusterIP !== 'None' && spec?.type !== 'ExternalName') c.required('spec.ports');
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    if (ports.length > 1 && !p.name) c.required(`spec.ports[${i}].name`);
    if (p.name) {
      name(c, `spec.ports[${i}].name`, p.name, 'label', 63);
      if (seen.has(p.name)) c.duplicate(`spec.ports[${i}].name`, p.name);
      seen.add(p.name);
    }
    if (!Number.isInteger(p.port) || p.port! < 1 || p.port! > 65535) c.invalid(`spec.ports[${i}].port`, p.port, 'must be between 1 and 65535, inclusive');
  });
}

/** `/spec/template/spec/containers/0/image` → `spec.template.spec.containers[0].image`. */
function fieldOf(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
}

function valueAt(o: unknown, pointer: string): unknown {
  let cur = o;
  for (const s of pointer.split('/').filter(Boolean)) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[s] : undefined;
  return cur;
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: { missingProperty?: string; allowedValues?: unknown[] };
}

/** The OpenAPI schema check through kubernetes-models; each ajv error becomes a cause. */
function schema(c: Causes, resource: string, o: KubeObject): void {
  const model = { pods: Pod, jobs: Job, services: Service, secrets: Secret, configmaps: ConfigMap, namespaces: Namespace }[resource];
  if (!model) return;
  try {
    new (model as unknown as new (d: unknown) => { validate(): void })(o).validate();
  } catch (err) {
    const errors = (err as { errors?: AjvError[] }).errors;
    if (!errors) throw err;
    for (const e of errors) {
      const field = fieldOf(e.instancePath);
      if (e.keyword === 'required') c.required(field ? `${field}.${e.params.missingProperty}` : String(e.params.missingProperty));
      else if (e.keyword === 'enum') c.unsupported(field, valueAt(o, e.instancePath), (e.params.allowedValues ?? []).map(String));
      else c.invalid(field, valueAt(o, e.instancePath), e.message ?? e.keyword);
    }
  }
}

/**
 * The causes that make `o` (with create defaults applied) invalid for `resource`; empty when valid.
 * Rules: the OpenAPI schema (kubernetes-models), then the hand-written ones listed in the module comment.
 */
export function validate(resource: string, o: KubeObject): StatusCause[] {
  const c = new Causes();
  schema(c, resource, o);
  if (resource === 'pods') {
    metadata(c, o, 'subdomain', 253);
    podSpec(c, 'spec', (o as PodObject).spec);
  } else if (resource === 'jobs') {
    metadata(c, o, 'subdomain', 63);
    job(c, o as JobObject);
  } else if (resource === 'services') {
    metadata(c, o, 'dns1035', 63);
    service(c, o);
  } else if (resource === 'secrets') {
    metadata(c, o, 'subdomain', 253);
    dataKeys(c, o, ['data']);
  } else if (resource === 'configmaps') {
    metadata(c, o, 'subdomain', 253);
    dataKeys(c, o, ['data', 'binaryData']);
  } else if (resource === 'namespaces') metadata(c, o, 'label', 63);
  return c.list;
}
