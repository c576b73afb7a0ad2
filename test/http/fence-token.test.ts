import { describe, expect, it } from 'vitest';
import { HTTP } from 'cloudevents';
import { EventType, makeEvent } from '../../shared/events/catalog.js';
import { parseEvent } from '../../shared/http/event-function.js';

describe('fencing tokens over HTTP', () => {
  const event = (fencetoken: string) => ({ ...makeEvent(EventType.taskQueued, '/test', { taskId: 't1' }, 'queued/t1'), fencetoken });

  it('takes the 16-digit tokens of locks kept in the database (microseconds since the epoch), as a dev server in services mode sends them', () => {
    const m = HTTP.binary(event('1796121254963000') as never);
    expect(parseEvent(m.headers as Record<string, string>, m.body as string).fencetoken).toBe('1796121254963000');
  });

  it('refuses a token that is not a safe integer', () => {
    const m = HTTP.binary(event('99999999999999999') as never);
    expect(() => parseEvent(m.headers as Record<string, string>, m.body as string)).toThrow('fencetoken "99999999999999999" must be a decimal integer');
  });
});
