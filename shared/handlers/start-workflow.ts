/**
 * start-workflow (on `task.queued`): moves the task to `processing` and launches its work manager
 * (design doc: the workflow manager creates the "work manager" Job). A redelivery finds the task
 * already processing: it launches the work manager again, which is a no-op where one runs (in this
 * process, or holding the task's lock elsewhere) and a resume from the store where the one before
 * died, and emits the same `task.started` (same id).
 */
import { EventType, isEvent, makeEvent, type ToolflowEvent } from '../events/catalog.js';
import { sourceOf, type FunctionDef } from './handler.js';

export const startWorkflow: FunctionDef = {
  name: 'start-workflow',
  placement: 'task-host',
  consumes: [EventType.taskQueued],
  async handle(event, ports): Promise<ToolflowEvent[]> {
    if (!isEvent(event, EventType.taskQueued)) return [];
    const { taskId } = event.data;
    if (!(await ports.store.moveTask(taskId, 'processing', { started_at: Date.now() }))) {
      if ((await ports.store.getTask(taskId))?.status !== 'processing') return [];
    }
    await ports.workManagers.launch(taskId);
    return [makeEvent(EventType.taskStarted, sourceOf('start-workflow'), { taskId }, `started/${taskId}`)];
  },
};
