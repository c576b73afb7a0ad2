/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): a Pod's volumes as folders. `emptyDir` is
 * `<pod folder>/volumes/<name>`; `configMap` and `secret` volumes are such folders with each key
 * (or each of `items`) written as a file once the object exists (the kubelet waits for it, as its
 * volume manager does, unless `optional`); `hostPath` is the path itself (the node is this
 * machine); other kinds are empty folders. A volumeMount's `subPath` is a folder inside the volume.
 * Processes see none of this at the `mountPath`: see `container-env.ts` for the rewriting.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { Mount } from './container-env.js';
import type { DataObject, IContainer, PodObject } from './types.js';

/** Where volume `name` of `pod` is on this machine (`dir`: the Pod's folder). */
export function volumePath(pod: PodObject, dir: string, name: string): string {
  const v = (pod.spec.volumes ?? []).find((x) => x.name === name);
  return v?.hostPath ? v.hostPath.path : join(dir, 'volumes', name);
}

/** A container's mounts (the folders made, `subPath` included). */
export function containerMounts(c: IContainer, pathOf: (volume: string) => string): Mount[] {
  return (c.volumeMounts ?? []).map((vm) => {
    const base = pathOf(vm.name);
    const sub = vm.subPath ? normalize(vm.subPath) : '';
    if (sub.startsWith('..') || sub.startsWith('/')) throw new Error(`subPath ${JSON.stringify(vm.subPath)} leaves its volume`);
    const hostPath = sub ? join(base, sub) : base;
    mkdirSync(hostPath, { recursive: true });
    return { mountPath: vm.mountPath, hostPath };
  });
}

/** Where configMap / secret volumes read their objects. */
export interface VolumeSources {
  secret(ns: string, name: string): DataObject | undefined;
  configMap(ns: string, name: string): DataObject | undefined;
}

/** Makes every volume's folder, writing configMap / secret keys as files (waiting, `wait(500)` at a time, while a required object is missing). */
export async function prepareVolumes(pod: PodObject, pathOf: (volume: string) => string, src: VolumeSources, wait: (ms: number) => Promise<void>, aborted: () => boolean): Promise<void> {
  const ns = pod.metadata.namespace!;
  for (const v of pod.spec.volumes ?? []) {
    const path = pathOf(v.name);
    if (v.hostPath) {
      if (v.hostPath.type === 'DirectoryOrCreate' || !v.hostPath.type) mkdirSync(path, { recursive: true });
      continue;
    }
    mkdirSync(path, { recursive: true });
    const ref = v.configMap ? { name: v.configMap.name!, items: v.configMap.items, optional: v.configMap.optional, secret: false } : v.secret ? { name: v.secret.secretName!, items: v.secret.items, optional: v.secret.optional, secret: true } : undefined;
    if (!ref) continue;
    for (;;) {
      const o = ref.secret ? src.secret(ns, ref.name) : src.configMap(ns, ref.name);
      if (o || ref.optional || aborted()) {
        const data = o?.data ?? {};
        const items = ref.items ?? Object.keys(data).map((key) => ({ key, path: key }));
        for (const it of items) {
          const rel = normalize(it.path);
          if (data[it.key] === undefined || rel.startsWith('..') || rel.startsWith('/')) continue;
          const file = join(path, rel);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, ref.secret ? Buffer.from(data[it.key]!, 'base64') : data[it.key]!);
        }
        break;
      }
      await wait(500);
    }
  }
}
