/**
 * TEST DOUBLE of the Kubernetes API (see ./README.md): matching a failed Pod against a Job's
 * `podFailurePolicy` (pkg/controller/job/pod_failure_policy.go): rules in order, the first match
 * wins. `onExitCodes` looks at terminated containers (regular, then init) with a non-zero exit
 * code, of the named container when `containerName` is set; `onPodConditions` at the Pod's
 * conditions (status defaults to True). Messages are the controller's.
 */
import type { IContainerStatus, IPodFailurePolicyRule, PodObject } from './types.js';

/** The rule a Pod matched. */
export interface PolicyMatch {
  action: 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';
  index: number;
  /** The Failed condition's message when the action is FailJob. */
  message: string;
}

function matchingContainer(statuses: IContainerStatus[] | undefined, rule: NonNullable<IPodFailurePolicyRule['onExitCodes']>): IContainerStatus | undefined {
  return (statuses ?? []).find((s) => {
    const t = s.state?.terminated;
    if (!t || t.exitCode === 0) return false;
    if (rule.containerName !== undefined && rule.containerName !== s.name) return false;
    const listed = rule.values.includes(t.exitCode);
    return rule.operator === 'In' ? listed : !listed;
  });
}

/** The first rule of `rules` that the (Failed) Pod matches, or null. */
export function matchPodFailurePolicy(rules: IPodFailurePolicyRule[], pod: PodObject): PolicyMatch | null {
  const who = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (const [index, rule] of rules.entries()) {
    const action = rule.action as PolicyMatch['action'];
    if (rule.onExitCodes) {
      const c = matchingContainer(pod.status.containerStatuses, rule.onExitCodes) ?? matchingContainer(pod.status.initContainerStatuses, rule.onExitCodes);
      if (c) return { action, index, message: `Container ${c.name} for pod ${who} failed with exit code ${c.state!.terminated!.exitCode} matching ${action} rule at index ${index}` };
    }
    for (const req of rule.onPodConditions ?? []) {
      const want = req.status ?? 'True';
      if ((pod.status.conditions ?? []).some((c) => c.type === req.type && c.status === want)) {
        return { action, index, message: `Pod ${who} has condition ${req.type} matching ${action} rule at index ${index}` };
      }
    }
  }
  return null;
}
