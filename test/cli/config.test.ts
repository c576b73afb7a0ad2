import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/errors.js';
import { maskUrl } from '../../shared/mask-url.js';
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
    [{ TOOLFLOW_DATABASE_URL: 'postgres://root@127.0.0.1/test' }, 'a SQLite path or a mysql://user:password@host:port/database URL, got postgres://root@127.0.0.1/test'],
    [{ TOOLFLOW_DATABASE_URL: 'mysql:/root:pw@127.0.0.1:3306/x' }, 'a SQLite path or a mysql://user:password@host:port/database URL, got mysql:/root:***@127.0.0.1:3306/x (did you mean mysql://root:***@127.0.0.1:3306/x?)'],
    [
      { TOOLFLOW_DATABASE_URL: 'mysql//root@127.0.0.1/x' },
      'TOOLFLOW_DATABASE_URL=mysql//root@127.0.0.1/x looks like a URL without the ":" after its scheme: did you mean mysql://root@127.0.0.1/x? (for a SQLite file in a folder of that name, write ./mysql//root@127.0.0.1/x)',
    ],
    [{ TOOLFLOW_DATABASE_URL: 'mysql//root:hunter2@127.0.0.1:3306/x' }, 'looks like a URL without the ":" after its scheme: did you mean mysql://root:***@127.0.0.1:3306/x?'],
    [{ TOOLFLOW_AMQP_URL: 'amqp//guest:hunter2@127.0.0.1:5672', TOOLFLOW_DATABASE_URL: 'mysql://root@h/x' }, 'TOOLFLOW_AMQP_URL=amqp//guest:***@127.0.0.1:5672 looks like a URL without the ":" after its scheme: did you mean amqp://guest:***@127.0.0.1:5672?'],
    [{ TOOLFLOW_ETCD_ENDPOINTS: 'http//127.0.0.1:2379' }, 'TOOLFLOW_ETCD_ENDPOINTS=http//127.0.0.1:2379 looks like a URL without the ":" after its scheme: did you mean http://127.0.0.1:2379?'],
    [{ TOOLFLOW_S3_BUCKET: 'b', TOOLFLOW_S3_ENDPOINT: 'http//127.0.0.1:4568' }, 'TOOLFLOW_S3_ENDPOINT=http//127.0.0.1:4568 looks like a URL without the ":" after its scheme: did you mean http://127.0.0.1:4568?'],
    [{ TOOLFLOW_DATABASE_URL: 'mysql://root:pw@127.0.0.1:abc/x' }, 'TOOLFLOW_DATABASE_URL=mysql://root:***@127.0.0.1:abc/x is not a valid URL (is the port a number?'],
    [{ TOOLFLOW_AMQP_URL: 'amqp://guest:secretpw@127.0.0.1:abc', TOOLFLOW_DATABASE_URL: 'mysql://root@h/x' }, 'TOOLFLOW_AMQP_URL=amqp://guest:***@127.0.0.1:abc is not a valid URL'],
    [{ TOOLFLOW_AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672' }, 'TOOLFLOW_AMQP_URL needs a database every process on the broker shares: set TOOLFLOW_DATABASE_URL=mysql://'],
    [{ TOOLFLOW_AMQP_URL: 'http://127.0.0.1:5672', TOOLFLOW_DATABASE_URL: 'mysql://root@h/x' }, 'TOOLFLOW_AMQP_URL: an amqp:// or amqps:// URL'],
    [{ TOOLFLOW_ETCD_ENDPOINTS: 'http://127.0.0.1:abc' }, 'TOOLFLOW_ETCD_ENDPOINTS=http://127.0.0.1:abc is not a valid URL'],
    [{ TOOLFLOW_ETCD_ENDPOINTS: '127.0.0.1:2379' }, 'each endpoint is http(s)://host:port, got 127.0.0.1:2379'],
    [{ TOOLFLOW_S3_ENDPOINT: 'http://127.0.0.1:4568' }, 'TOOLFLOW_S3_ENDPOINT is set but TOOLFLOW_S3_BUCKET is not'],
    [{ TOOLFLOW_LOCK_TTL_SECONDS: '1' }, 'TOOLFLOW_LOCK_TTL_SECONDS=1 must be at least 2'],
    [{ TOOLFLOW_NAMESPACE: 'a.b' }, 'TOOLFLOW_NAMESPACE=a.b must be'],
    [{ TOOLFLOW_OWNER: '../evil' }, 'TOOLFLOW_OWNER: "../evil" is not an owner name'],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never shows a password in a refusal of a URL that lost its colon', () => {
    expect(() => loadConfig({ TOOLFLOW_DATABASE_URL: 'mysql//root:hunter2@127.0.0.1/x' })).toThrow(/^(?!.*hunter2)/s);
  });

  it('takes a SQLite path as a path, even with "//" further on', () => {
    expect(loadConfig({ TOOLFLOW_DATABASE_URL: './data//toolflow.db' }).databasePath).toBe('./data//toolflow.db');
    expect(loadConfig({ TOOLFLOW_DATABASE_URL: 'data//toolflow.db' }).databasePath).toBe('data//toolflow.db');
    expect(loadConfig({ TOOLFLOW_DATABASE_URL: '/var/lib/toolflow.db' }).databasePath).toBe('/var/lib/toolflow.db');
  });

  it('accepts RabbitMQ with MySQL and no etcd (task locks then live in the database)', () => {
    expect(loadConfig({ TOOLFLOW_AMQP_URL: 'amqp://g:p@h:5672', TOOLFLOW_DATABASE_URL: 'mysql://r@h/x' })).toMatchObject({ amqpUrl: 'amqp://g:p@h:5672', databasePath: 'mysql://r@h/x', etcdEndpoints: undefined });
  });

  it('reads the services-mode variables; a trailing comma in the etcd endpoints is no endpoint', () => {
    expect(
      loadConfig({ TOOLFLOW_AMQP_URL: 'amqp://g:p@h:5672', TOOLFLOW_DATABASE_URL: 'mysql://r@h/x', TOOLFLOW_ETCD_ENDPOINTS: 'http://a:2379, http://b:2379,', TOOLFLOW_NAMESPACE: 'team-a' }),
    ).toMatchObject({ amqpUrl: 'amqp://g:p@h:5672', databasePath: 'mysql://r@h/x', etcdEndpoints: 'http://a:2379,http://b:2379', namespace: 'team-a', lockTtlSeconds: 15 });
  });
});

describe('maskUrl', () => {
  it.each([
    ['mysql://root:pw@db:3306/x', 'mysql://root:***@db:3306/x'],
    ['amqp://guest:se@cret@127.0.0.1:5679', 'amqp://guest:***@127.0.0.1:5679'],
    ['http://user:secretpw@127.0.0.1:4598', 'http://user:***@127.0.0.1:4598'],
    ['http://root:a@127.0.0.1:1,http://127.0.0.1:2', 'http://root:***@127.0.0.1:1,http://127.0.0.1:2'],
    ['amqp://guest@h', 'amqp://guest@h'],
    ['/var/lib/toolflow.db', '/var/lib/toolflow.db'],
    ['amqp://guest:hun,ter2@127.0.0.1:1', 'amqp://guest:***@127.0.0.1:1'],
    ['mysql:/root:hunter2@127.0.0.1:3306/x', 'mysql:/root:***@127.0.0.1:3306/x'],
    ['amqps//guest:hunter2@h', 'amqps//guest:***@h'],
  ])('masks %s as %s', (url, masked) => {
    expect(maskUrl(url)).toBe(masked);
  });
});
