/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): the resources it serves and their discovery
 * documents. Names, kinds and verbs follow the real API (kubernetes.io/docs/reference/kubernetes-api/).
 */

/** One served resource. `resource` is the URL segment (`jobs`), `kind` the object's kind (`Job`). */
export interface ResourceInfo {
  resource: string;
  singular: string;
  kind: string;
  listKind: string;
  /** '' for the core group. */
  group: string;
  version: 'v1';
  /** `v1` or `batch/v1`. */
  apiVersion: string;
  namespaced: boolean;
  shortNames: string[];
  /** Subresources served under `<name>/`. */
  subresources: string[];
}

function info(resource: string, kind: string, group: string, namespaced: boolean, shortNames: string[], subresources: string[] = []): ResourceInfo {
  return {
    resource,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    group,
    version: 'v1',
    apiVersion: group ? `${group}/v1` : 'v1',
    namespaced,
    shortNames,
    subresources,
  };
}

/** Every resource the double serves. */
export const RESOURCES: readonly ResourceInfo[] = [
  info('pods', 'Pod', '', true, ['po'], ['status', 'log']),
  info('services', 'Service', '', true, ['svc'], ['status']),
  info('secrets', 'Secret', '', true, []),
  info('configmaps', 'ConfigMap', '', true, ['cm']),
  info('namespaces', 'Namespace', '', false, ['ns'], ['status']),
  info('jobs', 'Job', 'batch', true, [], ['status']),
];

/** Kinds tests may name in `KubeDouble.get`. */
export type KindName = 'Pod' | 'Service' | 'Secret' | 'ConfigMap' | 'Namespace' | 'Job';

/** The resource served at `/api/v1/<resource>` (group '') or `/apis/<group>/v1/<resource>`, or undefined. */
export function resourceFor(group: string, resource: string): ResourceInfo | undefined {
  return RESOURCES.find((r) => r.group === group && r.resource === resource);
}

/** The resource of a kind. @throws when the double does not serve that kind. */
export function resourceOfKind(kind: string): ResourceInfo {
  const r = RESOURCES.find((x) => x.kind === kind);
  if (!r) throw new Error(`the Kubernetes double serves no kind ${kind}; it serves ${RESOURCES.map((x) => x.kind).join(', ')}`);
  return r;
}

/** `jobs.batch` or `pods`: how error messages name a resource ("jobs.batch \"x\" not found"). */
export function qualifiedResource(r: ResourceInfo): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

/** `Job.batch` or `Pod`: how Invalid errors name a kind ("Job.batch \"x\" is invalid: ..."). */
export function qualifiedKind(r: ResourceInfo): string {
  return r.group ? `${r.kind}.${r.group}` : r.kind;
}

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

/** `GET /api`: APIVersions. */
export function apiVersions(): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
}

/** `GET /apis`: APIGroupList (the named groups). */
export function apiGroupList(): object {
  const groups = [...new Set(RESOURCES.map((r) => r.group).filter(Boolean))];
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map(apiGroup) };
}

/** `GET /apis/<group>`: APIGroup. */
export function apiGroup(group: string): object {
  const v = { groupVersion: `${group}/v1`, version: 'v1' };
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: [v], preferredVersion: v };
}

/** `GET /api/v1` or `/apis/<group>/v1`: APIResourceList. */
export function apiResourceList(group: string): object {
  const resources = RESOURCES.filter((r) => r.group === group).flatMap((r) => [
    { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: VERBS, shortNames: r.shortNames },
    ...r.subresources.map((s) => ({ name: `${r.resource}/${s}`, singularName: '', namespaced: r.namespaced, kind: s === 'log' ? 'Pod' : r.kind, verbs: s === 'log' ? ['get'] : ['get', 'patch', 'update'] })),
  ]);
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/v1` : 'v1', resources };
}

/** `GET /version`: what a 1.31 API server answers. */
export function versionInfo(): object {
  return { major: '1', minor: '31', gitVersion: 'v1.31.0-kube-double', gitCommit: '', gitTreeState: 'clean', buildDate: '2024-08-13T00:00:00Z', goVersion: 'go1.22.5', compiler: 'gc', platform: 'linux/amd64' };
}
