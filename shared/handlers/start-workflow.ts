/**
 * start-workflow (on `task.queued`): moves the task to `processing` and launches its work manager
 * (design doc: the workflow manager creates the "work manager" Job). A duplicate finds the task
 * already processing and does nothing.
 */
import { EventType, isEvent, makeEvent, type ToolflowEvent } from '../events/catalog.js';
import { sourceOf, type FunctionDef } from './handler.js';

export const startWorkflow: FunctionDef = {
  name: 'start-workflow',
  consumes: [EventType.taskQueued],
  async handle(event, ports): Promise<ToolflowEvent[]> {
    if (!isEvent(event, EventType.taskQueued)) return [];
    const { taskId } = event.data;
    if (!(await ports.store.moveTask(taskId, 'processing', { started_at: Date.now() }))) return [];
    await ports.workManagers.launch(taskId);
    return [makeEvent(EventType.taskStarted, sourceOf('start-workflow'), { taskId }, `started/${taskId}`)];
  },
};
