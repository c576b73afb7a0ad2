/**
 * Starts a task's work manager in cluster mode (start-workflow): the Job `tf-<task>-wm`, whose Pod
 * runs `toolflow work-manager <task>`, then the Service of the same name in front of it (owned by
 * the Job, so it goes when the Job does). Idempotent: an object that exists (409 AlreadyExists) is
 * taken as created, so a redelivered `task.queued` changes nothing.
 *
 * API calls (RBAC of start-workflow): `create` and, after a 409, `get` on `batch/jobs`; `create` on `services`.
 */
import { BatchV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { WorkManagerLauncher } from '../../runtime/ports.js';
import { apiError, statusCode } from './api-errors.js';
import { workManagerJob, workManagerService } from './manifests.js';
import { workManagerJobName } from './names.js';
import type { KubernetesSettings } from './settings.js';

/** Creates work-manager Jobs and their Services. */
export class KubernetesWorkManagerLauncher implements WorkManagerLauncher {
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;

  constructor(
    private readonly settings: KubernetesSettings,
    private readonly deps: { kubeConfig: KubeConfig; log: Logger },
  ) {
    this.batch = deps.kubeConfig.makeApiClient(BatchV1Api);
    this.core = deps.kubeConfig.makeApiClient(CoreV1Api);
  }

  /**
   * Creates the task's work-manager Job (or finds it) and its Service.
   * @throws ServiceUnavailableError when the API does not answer or answers 429 / 5xx (the event is
   *   handled again later); Error with the API's message when it refuses the objects (403, 422).
   */
  async launch(taskId: string): Promise<void> {
    const namespace = this.settings.namespace;
    const name = workManagerJobName(taskId);
    let uid: string | undefined;
    try {
      uid = (await this.batch.createNamespacedJob({ namespace, body: workManagerJob(taskId, this.settings) })).metadata?.uid;
      this.deps.log.info({ taskId, job: name }, 'work-manager Job created');
    } catch (err) {
      if (statusCode(err) !== 409) throw apiError(err, `creating the work-manager Job ${name}`);
    }
    if (!uid) {
      try {
        uid = (await this.batch.readNamespacedJob({ name, namespace })).metadata?.uid;
      } catch (err) {
        throw apiError(err, `reading the work-manager Job ${name}`);
      }
    }
    if (!uid) throw new Error(`the work-manager Job ${name} has no uid`);
    try {
      await this.core.createNamespacedService({ namespace, body: workManagerService(taskId, this.settings, { name, uid }) });
    } catch (err) {
      if (statusCode(err) !== 409) throw apiError(err, `creating the work-manager Service ${name}`);
    }
  }
}
