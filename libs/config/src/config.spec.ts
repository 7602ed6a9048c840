import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(3000);
    expect(c.currency).toBe('CNY');
    expect(c.dataDir).toMatch(/\/data$/);
    expect(c.apiKeys).toBeUndefined();
    expect(c.esdbConnectionString).toBeUndefined();
    expect(c.segmentation).toEqual({ windowDays: 365, vipShare: 0.1, importantShare: 0.2, newDays: 90, loyalMinPurchases: 4, loyalTenureDays: 180 });
    expect(c.projectorBatchSize).toBe(1000);
  });

  it('parses API keys as key:role pairs', () => {
    const c = loadConfig({ CRM_API_KEYS: 'aaaaaaaaaaaaaaaa1:service, bbbbbbbbbbbbbbbb2:admin' });
    expect(c.apiKeys).toEqual([
      { key: 'aaaaaaaaaaaaaaaa1', role: 'service' },
      { key: 'bbbbbbbbbbbbbbbb2', role: 'admin' },
    ]);
  });

  it('treats empty connection settings as absent and splits brokers', () => {
    const c = loadConfig({ KAFKA_BROKERS: 'a:9092, b:9092', MONGO_URL: '', ESDB_CONNECTION_STRING: ' ' });
    expect(c.kafkaBrokers).toEqual(['a:9092', 'b:9092']);
    expect(c.mongoUrl).toBeUndefined();
    expect(c.esdbConnectionString).toBeUndefined();
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ CRM_CURRENCY: 'yuan' }, 'CRM_CURRENCY: must be an ISO 4217 code'],
    [{ CRM_API_KEYS: 'short:service' }, 'CRM_API_KEYS: each key must be at least 16 characters'],
    [{ CRM_API_KEYS: 'aaaaaaaaaaaaaaaaaa:root' }, 'CRM_API_KEYS: each entry must be key:role'],
    [{ NODE_ENV: 'production' }, 'CRM_API_KEYS: is required in production'],
    [{ CRM_SEG_VIP_SHARE: '0.5', CRM_SEG_IMPORTANT_SHARE: '0.6' }, 'CRM_SEG_IMPORTANT_SHARE'],
    [{ CRM_PROJECTOR_BATCH_SIZE: '0' }, 'CRM_PROJECTOR_BATCH_SIZE'],
    [{ CRM_PROJECTOR_BATCH_SIZE: 'many' }, 'CRM_PROJECTOR_BATCH_SIZE'],
  ])('rejects %j with a message naming the setting', (env, expected) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(expected);
  });

  it('takes an optional Kafka namespace and refuses one that cannot prefix a topic name', () => {
    expect(loadConfig({}).kafkaNamespace).toBeUndefined();
    expect(loadConfig({ CRM_KAFKA_NAMESPACE: 'staging-2' }).kafkaNamespace).toBe('staging-2');
    expect(() => loadConfig({ CRM_KAFKA_NAMESPACE: 'a.b/c' })).toThrow(/CRM_KAFKA_NAMESPACE/);
  });

  it('lists every problem at once', () => {
    try {
      loadConfig({ PORT: 'x', CRM_CURRENCY: 'x' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect((e as ConfigError).problems).toHaveLength(2);
    }
  });
});
