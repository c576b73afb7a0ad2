/**
 * The connector's settings from flags and variables: targets, concurrency, timeout, and the errors
 * that say what to write instead. No services needed.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_MS } from '../../shared/connector/connector.js';
import { connectorSettings } from '../../shared/connector/settings.js';
import { ConfigError } from '../../shared/errors.js';
import { FUNCTIONS } from '../../shared/runtime/runtime.js';

const AMQP = { TOOLFLOW_AMQP_URL: 'amqp://guest:s3cret@127.0.0.1:5672' };
const settings = (env: NodeJS.ProcessEnv, flags: Parameters<typeof connectorSettings>[1] = {}) => connectorSettings(env, flags, FUNCTIONS);
const refusal = (env: NodeJS.ProcessEnv, flags: Parameters<typeof connectorSettings>[1] = {}) => {
  try {
    settings(env, flags);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('not refused');
};

describe('connector settings', () => {
  it('reads TOOLFLOW_CONNECTOR_TARGETS, with each function’s types and its own concurrency by default', () => {
    const s = settings({ ...AMQP, TOOLFLOW_NAMESPACE: 'prod', TOOLFLOW_CONNECTOR_TARGETS: 'handle-status=http://h:8080/functions/handle-status, start-workflow=https://sw.example/' });
    expect(s.namespace).toBe('prod');
    expect(s.timeoutMs).toBe(DEFAULT_TIMEOUT_MS);
    const hs = FUNCTIONS.find((f) => f.name === 'handle-status')!;
    expect(s.targets).toEqual([
      { function: 'handle-status', types: hs.consumes, url: 'http://h:8080/functions/handle-status', concurrency: hs.concurrency },
      { function: 'start-workflow', types: ['io.toolflow.task.queued'], url: 'https://sw.example/', concurrency: 1 },
    ]);
  });

  it('takes --target over the variable, and --concurrency and --timeout', () => {
    const s = settings(
      { ...AMQP, TOOLFLOW_CONNECTOR_TARGETS: 'enqueue=http://ignored/', TOOLFLOW_CONNECTOR_CONCURRENCY: 'enqueue=2', TOOLFLOW_CONNECTOR_TIMEOUT_SECONDS: '5' },
      { target: ['rerun-policy=http://127.0.0.1:9000/x?y=1'], concurrency: ['rerun-policy=3'], timeout: '1.5' },
    );
    expect(s.targets.map((t) => [t.function, t.url, t.concurrency])).toEqual([['rerun-policy', 'http://127.0.0.1:9000/x?y=1', 3]]);
    expect(s.timeoutMs).toBe(1500);
  });

  it('reads TOOLFLOW_CONNECTOR_CONCURRENCY and TOOLFLOW_CONNECTOR_TIMEOUT_SECONDS', () => {
    const s = settings({ ...AMQP, TOOLFLOW_CONNECTOR_TARGETS: 'enqueue=http://e/', TOOLFLOW_CONNECTOR_CONCURRENCY: 'enqueue=4', TOOLFLOW_CONNECTOR_TIMEOUT_SECONDS: '90' });
    expect(s.targets[0]!.concurrency).toBe(4);
    expect(s.timeoutMs).toBe(90_000);
  });

  it('reads TOOLFLOW_FUNCTION_SECRET (sent to the functions), none when unset or empty, and refuses a short one without showing it', () => {
    const env = { ...AMQP, TOOLFLOW_CONNECTOR_TARGETS: 'enqueue=http://e/' };
    expect(settings({ ...env, TOOLFLOW_FUNCTION_SECRET: 'a-secret-of-twenty-chars' }).secret).toBe('a-secret-of-twenty-chars');
    expect(settings(env).secret).toBeUndefined();
    expect(settings({ ...env, TOOLFLOW_FUNCTION_SECRET: '' }).secret).toBeUndefined();
    const short = refusal({ ...env, TOOLFLOW_FUNCTION_SECRET: 'hunter2' });
    expect(short).toBe('TOOLFLOW_FUNCTION_SECRET must be at least 16 characters (e.g. the output of `openssl rand -hex 32`)');
    expect(refusal({ ...env, TOOLFLOW_FUNCTION_SECRET: 'has a space in it, sixteen+' })).toContain('visible ASCII characters, no spaces');
  });

  it('refuses what it cannot use, saying what to write', () => {
    expect(refusal({ TOOLFLOW_CONNECTOR_TARGETS: 'enqueue=http://e/' })).toMatch(/^the connector consumes queues on RabbitMQ: set TOOLFLOW_AMQP_URL=amqp:\/\//);
    expect(refusal({ TOOLFLOW_AMQP_URL: 'http://rabbit:5672' , TOOLFLOW_CONNECTOR_TARGETS: 'enqueue=http://e/' })).toBe('TOOLFLOW_AMQP_URL: an amqp:// or amqps:// URL, got http://rabbit:5672');
    expect(refusal(AMQP)).toBe(
      'no function to deliver to: give --target NAME=URL (repeatable) or TOOLFLOW_CONNECTOR_TARGETS=NAME=URL,NAME=URL, NAME being one of enqueue, start-workflow, schedule-tool, handle-status, rerun-policy, notify',
    );
    expect(refusal(AMQP, { target: ['handle-status'] })).toBe('--target "handle-status": expected NAME=VALUE, e.g. handle-status=http://127.0.0.1:8080/functions/handle-status');
    expect(refusal(AMQP, { target: ['upload=http://u/'] })).toBe('--target "upload" is not an event function; use one of enqueue, start-workflow, schedule-tool, handle-status, rerun-policy, notify');
    expect(refusal({ ...AMQP, TOOLFLOW_CONNECTOR_TARGETS: 'enqueue=http://a/,enqueue=http://b/' })).toBe('TOOLFLOW_CONNECTOR_TARGETS: enqueue is given twice; give each function one URL');
    expect(refusal(AMQP, { target: ['enqueue=ftp://user:pw@h/'] })).toBe('--target enqueue=ftp://user:***@h/: the URL must be http:// or https://, e.g. http://127.0.0.1:8080/functions/enqueue');
    expect(refusal(AMQP, { target: ['enqueue=127.0.0.1:8080'] })).toMatch(/^--target enqueue=127\.0\.0\.1:8080: the URL must be http:\/\/ or https:\/\//);
    expect(refusal(AMQP, { target: ['enqueue=http://e/'], concurrency: ['handle-status=2'] })).toBe('--concurrency handle-status is not a target of this connector (targets: enqueue)');
    expect(refusal(AMQP, { target: ['enqueue=http://e/'], concurrency: ['enqueue=0'] })).toBe('--concurrency enqueue=0: a whole number from 1 to 65535');
    expect(refusal(AMQP, { target: ['enqueue=http://e/'], concurrency: ['enqueue=2.5'] })).toBe('--concurrency enqueue=2.5: a whole number from 1 to 65535');
    expect(refusal(AMQP, { target: ['enqueue=http://e/'], timeout: '0' })).toBe('--timeout 0 must be a number of seconds above 0 and at most 2147483');
    expect(refusal({ ...AMQP, TOOLFLOW_CONNECTOR_TARGETS: 'enqueue=http://e/', TOOLFLOW_CONNECTOR_TIMEOUT_SECONDS: 'soon' })).toBe('TOOLFLOW_CONNECTOR_TIMEOUT_SECONDS=soon must be a number of seconds above 0 and at most 2147483');
  });
});
