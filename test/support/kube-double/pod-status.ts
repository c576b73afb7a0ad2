/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): a Pod's status as the kubelet reports it
 * (pkg/kubelet/status, kubelet_pods.go `generateAPIPodStatus`): conditions
 * (PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled, DisruptionTarget)
 * whose `lastTransitionTime` moves only when their status does; `initContainerStatuses` in spec
 * order and `containerStatuses` sorted by name (as the kubelet sorts them), each with `state`
 * (`waiting {reason, message}` / `running {startedAt}` / `terminated {exitCode, signal, reason,
 * message, startedAt, finishedAt, containerID}`), `lastState`, `ready`, `started`,
 * `restartCount`, `image`, `imageID`, `containerID`.
 */
import { createHash } from 'node:crypto';
import type { IContainerState } from 'kubernetes-models/v1/ContainerState';
import type { RunningContainer } from './container-process.js';
import { timestamp, type IContainer, type IContainerStatus, type IPodCondition } from './types.js';
import type { IPodStatus } from 'kubernetes-models/v1/PodStatus';

/** A container as the kubelet tracks it. */
export interface ContainerRun {
  spec: IContainer;
  /** `sidecar` = an init container with `restartPolicy: Always` (a native sidecar). */
  role: 'init' | 'sidecar' | 'regular';
  state: IContainerState;
  lastState: IContainerState;
  restartCount: number;
  /** The startupProbe passed (or there is none) since the last start. */
  started: boolean;
  containerId?: string;
  process?: RunningContainer;
  /** Log file of each start, by restartCount. */
  logs: string[];
}

/** `busybox` → `docker.io/library/busybox:latest`, as the runtime reports a normalised image name. */
export function normaliseImage(image: string): string {
  let name = image;
  const first = name.split('/')[0]!;
  if (!name.includes('/')) name = `docker.io/library/${name}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') name = `docker.io/${name}`;
  if (!name.includes('@') && !/:[\w][\w.-]*$/.test(name.split('/').pop()!)) name += ':latest';
  return name;
}

/** The wire status of one container. */
export function containerStatus(c: ContainerRun): IContainerStatus {
  const running = !!c.state.running;
  const image = normaliseImage(c.spec.image ?? '');
  const ran = !!(c.state.running || c.state.terminated || c.lastState.terminated);
  const completedInit = c.role === 'init' && c.state.terminated?.exitCode === 0;
  return {
    name: c.spec.name,
    image,
    imageID: ran ? `${image.split('@')[0]!.replace(/:[\w][\w.-]*$/, '')}@sha256:${createHash('sha256').update(image).digest('hex')}` : '',
    ...(c.containerId ? { containerID: c.containerId } : {}),
    ready: (running && c.started) || completedInit,
    started: running && c.started,
    restartCount: c.restartCount,
    state: structuredClone(c.state),
    lastState: structuredClone(c.lastState),
  };
}

/** Conditions with stable transition times. */
export class Conditions {
  private readonly map = new Map<string, IPodCondition>();

  constructor(initial: IPodCondition[] = []) {
    for (const c of initial) this.map.set(c.type, c);
  }

  /** Sets a condition; its lastTransitionTime changes only when `status` does. */
  set(type: string, status: 'True' | 'False', reason?: string, message?: string): void {
    const prev = this.map.get(type);
    const lastTransitionTime = prev && prev.status === status ? prev.lastTransitionTime : timestamp();
    this.map.set(type, { type, status, lastProbeTime: null, lastTransitionTime, ...(reason ? { reason } : {}), ...(message ? { message } : {}) } as unknown as IPodCondition);
  }

  get(type: string): IPodCondition | undefined {
    return this.map.get(type);
  }

  /** In the kubelet's order. */
  list(): IPodCondition[] {
    const order = ['DisruptionTarget', 'PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
    return [...this.map.values()].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type)).map((c) => structuredClone(c));
  }
}

/** What `podStatus` reads from a Pod's runtime. */
export interface PodState {
  init: ContainerRun[];
  regular: ContainerRun[];
  conditions: Conditions;
  /** Every init container done (and every sidecar started). */
  initialized: boolean;
  finalPhase?: 'Succeeded' | 'Failed';
  /** The eviction message, when evicted. */
  evicted?: string;
  startTime: string;
  qosClass?: IPodStatus['qosClass'];
}

/**
 * The Pod status of `s` (updating its Ready / ContainersReady / Initialized conditions). Phase
 * (kubelet_pods.go `getPhase`): Pending until initialized and while a regular container waits
 * without having run; Running after; the final phase once everything has stopped.
 */
export function podStatus(s: PodState): IPodStatus {
  const c = s.conditions;
  const unready = [...s.regular, ...s.init.filter((x) => x.role === 'sidecar')].filter((x) => !(x.state.running && x.started)).map((x) => x.spec.name);
  if (s.finalPhase) {
    c.set('Ready', 'False', 'PodCompleted');
    c.set('ContainersReady', 'False', 'PodCompleted');
  } else if (unready.length) {
    const message = `containers with unready status: [${unready.join(' ')}]`;
    c.set('Ready', 'False', 'ContainersNotReady', message);
    c.set('ContainersReady', 'False', 'ContainersNotReady', message);
  } else {
    c.set('Ready', 'True');
    c.set('ContainersReady', 'True');
  }
  const pendingInit = s.init.filter((x) => (x.role === 'init' ? x.state.terminated?.exitCode !== 0 : !x.started && !s.initialized)).map((x) => x.spec.name);
  if (s.initialized || pendingInit.length === 0) c.set('Initialized', 'True');
  else c.set('Initialized', 'False', 'ContainersNotInitialized', `containers with incomplete status: [${pendingInit.join(' ')}]`);
  const phase = s.finalPhase ?? (!s.initialized || s.regular.some((x) => x.state.waiting && !x.lastState.terminated) ? 'Pending' : 'Running');
  return {
    phase,
    conditions: c.list(),
    ...(s.evicted ? { reason: 'Evicted', message: s.evicted } : {}),
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: '127.0.0.1',
    podIPs: [{ ip: '127.0.0.1' }],
    startTime: s.startTime,
    ...(s.init.length ? { initContainerStatuses: s.init.map(containerStatus) } : {}),
    containerStatuses: s.regular.map(containerStatus).sort((a, b) => a.name.localeCompare(b.name)),
    ...(s.qosClass ? { qosClass: s.qosClass } : {}),
  };
}
