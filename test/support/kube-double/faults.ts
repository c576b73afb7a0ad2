/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): the fault switches the kubelet and the
 * scheduler consult (image pulls that fail, Pods the scheduler cannot place).
 */
import { parseLabelSelector } from './selectors.js';
import type { PodObject } from './types.js';

/** The scheduler's message for a Pod that fits no node (kube-scheduler's wording). */
export const UNSCHEDULABLE_MESSAGE = '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.';

/** Active faults. Each switch returns a function that turns it off again. */
export class Faults {
  private readonly pulls = new Set<RegExp>();
  private readonly pending = new Set<{ matches: (p: PodObject) => boolean; message: string }>();

  /** @param changed called when a switch turns off (the scheduler and kubelet look again). */
  constructor(private readonly changed: () => void) {}

  /** Images matching `pattern` fail to pull. */
  failImagePull(pattern: RegExp): () => void {
    this.pulls.add(pattern);
    return () => {
      this.pulls.delete(pattern);
      this.changed();
    };
  }

  /** Pods whose labels match `selector` (`{app: 'x'}` or a selector string) stay unscheduled. */
  holdPending(selector: Record<string, string> | string, message = UNSCHEDULABLE_MESSAGE): () => void {
    const text = typeof selector === 'string' ? selector : Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
    const matcher = parseLabelSelector(text);
    const entry = { matches: (p: PodObject) => matcher(p.metadata.labels), message };
    this.pending.add(entry);
    return () => {
      this.pending.delete(entry);
      this.changed();
    };
  }

  /** Whether pulling `image` fails now. */
  imagePullFails(image: string): boolean {
    return [...this.pulls].some((re) => {
      re.lastIndex = 0;
      return re.test(image);
    });
  }

  /** The Unschedulable message for a Pod held Pending, or undefined. */
  pendingMessage(pod: PodObject): string | undefined {
    return [...this.pending].find((e) => e.matches(pod))?.message;
  }
}
