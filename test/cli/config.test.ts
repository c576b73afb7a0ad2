import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/errors.js';
import { loadConfig } from '../../shared/runtime/config.js';

describe('configuration', () => {
  it('has embedded defaults', () => {
    expect(loadConfig({ USER: 'ann' })).toMatchObject({ home: '.toolflow', databasePath: '.toolflow/toolflow.db', workDir: '.toolflow/work', keepaliveSeconds: 30, lostAfterSeconds: 90, startTimeoutSeconds: 120, owner: 'ann', logLevel: 'warn' });
  });

  it.each([
    [{ TOOLFLOW_LOG_LEVEL: 'bogus' }, 'TOOLFLOW_LOG_LEVEL=bogus must be one of'],
    [{ TOOLFLOW_LOST_AFTER_SECONDS: '3000000' }, 'at most 2147483'],
    [{ TOOLFLOW_KEEPALIVE_SECONDS: '60', TOOLFLOW_LOST_AFTER_SECONDS: '1' }, 'must be at least twice TOOLFLOW_KEEPALIVE_SECONDS'],
    [{ TOOLFLOW_KEEPALIVE_SECONDS: '0.001', TOOLFLOW_LOST_AFTER_SECONDS: '0.0015' }, 'must be at least twice TOOLFLOW_KEEPALIVE_SECONDS'],
    [{ TOOLFLOW_MEMORY_LIMIT: 'foo' }, 'the only value is rlimit'],
    [{ TOOLFLOW_CPUS: 'two' }, 'TOOLFLOW_CPUS: "two" is not a cpu amount'],
    [{ TOOLFLOW_MEMORY: '4GG' }, 'TOOLFLOW_MEMORY: "4GG" is not a size'],
    [{ TOOLFLOW_DATABASE_URL: 'postgres://root@127.0.0.1/test' }, 'a SQLite path or a mysql:// URL'],
    [{ TOOLFLOW_OWNER: '../evil' }, 'owner "../evil" must be'],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
