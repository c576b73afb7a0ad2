/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): a container's environment as the kubelet
 * makes it (pkg/kubelet/kubelet_pods.go `makeEnvironmentVariables`): `envFrom` (ConfigMaps,
 * Secrets, with `prefix`), then `env` in order (`value`, `valueFrom.fieldRef`,
 * `resourceFieldRef`, `secretKeyRef`, `configMapKeyRef`), each `value` expanded for `$(VAR)` as
 * Kubernetes does (third_party/forked/golang/expansion: `$$` is a literal `$`, an unknown
 * `$(NAME)` stays as written), over the image's own environment (here: the double's PATH and
 * extra env, and HOSTNAME, which the container runtime sets).
 *
 * Processes are not in a mount namespace, so each volumeMount's `mountPath` does not exist for
 * them: an environment value (and `workingDir`) equal to a mountPath or under it (`/pod/work` for
 * mountPath `/pod`) is rewritten to the volume's folder under the double's root dir. Only whole
 * values starting with the path are rewritten (not `--dir=/pod`); command and args are not
 * rewritten, but `$(VAR)` in them expands to the rewritten values.
 */
import type { IContainer, DataObject, PodObject } from './types.js';
import { parseQuantity } from './quantity.js';

/** A reference the kubelet cannot resolve: the container waits with `CreateContainerConfigError` and this message. */
export class ContainerConfigError extends Error {}

/** A volume mount of one container, on this machine. */
export interface Mount {
  /** The path the container spec names (`/pod`). */
  mountPath: string;
  /** The folder it stands for. */
  hostPath: string;
}

/** Where references are looked up. */
export interface EnvSources {
  secret(name: string): DataObject | undefined;
  configMap(name: string): DataObject | undefined;
  /** The node's capacity, for resourceFieldRef of unset limits. */
  node: { memBytes: number; cpuCores: number };
}

/** Kubernetes' `$(VAR)` expansion of `input` (`lookup` undefined = leave `$(VAR)` as written). */
export function expandReferences(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 2;
      } else {
        const name = input.slice(i + 2, close);
        out += lookup(name) ?? `$(${name})`;
        i = close + 1;
      }
    } else {
      out += `$${next}`;
      i += 2;
    }
  }
  return out;
}

/** `value` rewritten to a volume's folder when it is a mountPath or under one (longest mountPath first). */
export function rewriteToVolume(value: string, mounts: readonly Mount[]): string {
  for (const m of [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length)) {
    const mp = m.mountPath.replace(/\/+$/, '') || '/';
    if (value === mp || value.startsWith(mp === '/' ? '/' : `${mp}/`)) return m.hostPath + value.slice(mp === '/' ? 0 : mp.length);
  }
  return value;
}

function decode(o: DataObject, key: string, secret: boolean): string | undefined {
  const v = o.data?.[key];
  if (v !== undefined) return secret ? Buffer.from(v, 'base64').toString('utf8') : v;
  const bin = (o as { binaryData?: Record<string, string> }).binaryData?.[key];
  return bin === undefined ? undefined : Buffer.from(bin, 'base64').toString('utf8');
}

function field(pod: PodObject, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (pod.metadata[m[1] as 'labels' | 'annotations'] ?? {})[m[2]!] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name!;
    case 'metadata.namespace':
      return pod.metadata.namespace!;
    case 'metadata.uid':
      return pod.metadata.uid!;
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
    case 'status.hostIP':
    case 'status.hostIPs':
      return '127.0.0.1';
    default:
      throw new ContainerConfigError(`unsupported fieldRef fieldPath ${JSON.stringify(path)}`);
  }
}

function resourceField(pod: PodObject, own: IContainer, ref: { containerName?: string; resource: string; divisor?: string | number }, node: EnvSources['node']): string {
  const c = ref.containerName ? [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((x) => x.name === ref.containerName) : own;
  if (!c) throw new ContainerConfigError(`container ${ref.containerName} not found in pod ${pod.metadata.name}`);
  const [kind, res] = ref.resource.split('.', 2) as ['limits' | 'requests', string];
  const set = parseQuantity(c.resources?.[kind]?.[res]);
  const value = set ?? (kind === 'limits' ? (res === 'cpu' ? node.cpuCores : node.memBytes) : 0);
  const divisor = parseQuantity(ref.divisor ?? '1') || 1;
  return String(Math.ceil(value / divisor));
}

/**
 * The environment of `container` in `pod`: `base` (image env), then envFrom, then env, then the
 * mountPath rewrite of every value.
 * @returns the environment and the variables the kubelet defined (what `$(VAR)` in command/args sees).
 * @throws ContainerConfigError naming the missing Secret / ConfigMap / key.
 */
export function containerEnv(pod: PodObject, container: IContainer, base: Record<string, string>, mounts: readonly Mount[], src: EnvSources): { env: Record<string, string>; defined: Record<string, string> } {
  const ns = pod.metadata.namespace!;
  const defined: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const secret = !!from.secretRef;
    const o = secret ? src.secret(ref.name!) : src.configMap(ref.name!);
    if (!o) {
      if (ref.optional) continue;
      throw new ContainerConfigError(secret ? `secret "${ref.name}" not found` : `configmap "${ref.name}" not found`);
    }
    const keys = [...Object.keys(o.data ?? {}), ...Object.keys((o as { binaryData?: object }).binaryData ?? {})];
    for (const k of keys) {
      const name = `${from.prefix ?? ''}${k}`;
      // The kubelet skips keys that are not valid variable names (and records an event).
      if (/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) defined[name] = decode(o, k, secret) ?? '';
    }
  }
  for (const e of container.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) {
      defined[e.name] = expandReferences(e.value ?? '', (n) => defined[n]);
      continue;
    }
    if (vf.fieldRef) defined[e.name] = field(pod, vf.fieldRef.fieldPath);
    else if (vf.resourceFieldRef) defined[e.name] = resourceField(pod, container, vf.resourceFieldRef, src.node);
    else if (vf.secretKeyRef || vf.configMapKeyRef) {
      const ref = (vf.secretKeyRef ?? vf.configMapKeyRef)!;
      const secret = !!vf.secretKeyRef;
      const o = secret ? src.secret(ref.name!) : src.configMap(ref.name!);
      const v = o ? decode(o, ref.key, secret) : undefined;
      if (v === undefined) {
        if (ref.optional) continue;
        if (!o) throw new ContainerConfigError(secret ? `secret "${ref.name}" not found` : `configmap "${ref.name}" not found`);
        throw new ContainerConfigError(`couldn't find key ${ref.key} in ${secret ? 'Secret' : 'ConfigMap'} ${ns}/${ref.name}`);
      }
      defined[e.name] = v;
    }
  }
  for (const k of Object.keys(defined)) defined[k] = rewriteToVolume(defined[k]!, mounts);
  return { env: { ...base, ...defined }, defined };
}
