import { checkRoles, CompositionError, componentsOf } from './components';
import { loadConfig } from './config';

const KAFKA = { KAFKA_BROKERS: 'k:9092' };
const MONGO = { MONGO_URL: 'mongodb://m/crm' };
const ESDB = { ESDB_CONNECTION_STRING: 'esdb://e:2113?tls=false' };

describe('componentsOf', () => {
  it('is the embedded default with no server settings', () => {
    expect(componentsOf(loadConfig({}))).toEqual({ eventStore: 'sqlite', writeSideStores: 'sqlite', readModels: 'embedded', feed: 'in-process' });
  });

  it('picks each server from its own setting', () => {
    expect(componentsOf(loadConfig({ ...KAFKA, ...MONGO, ...ESDB }))).toEqual({
      eventStore: 'eventstoredb',
      writeSideStores: 'mongodb',
      readModels: 'mongodb',
      feed: 'kafka',
    });
  });
});

describe('checkRoles', () => {
  const check = (env: Record<string, string>, roles: ('api' | 'relay' | 'projector')[]) => () => checkRoles(loadConfig(env), roles);

  it('accepts all roles in one process with or without servers (npm start)', () => {
    expect(check({}, ['api', 'relay', 'projector'])).not.toThrow();
    expect(check({ ...KAFKA, ...MONGO }, ['api', 'relay', 'projector'])).not.toThrow();
  });

  it('refuses a relay or projector of its own without Kafka', () => {
    expect(check(MONGO, ['projector'])).toThrow(CompositionError);
    expect(check(MONGO, ['projector'])).toThrow(/KAFKA_BROKERS/);
  });

  it('refuses split processes without shared read models', () => {
    expect(check(KAFKA, ['api'])).toThrow(/MONGO_URL/);
  });

  it('refuses a relay apart from the API on the embedded log, accepts it on EventStoreDB', () => {
    expect(check({ ...KAFKA, ...MONGO }, ['relay'])).toThrow(/ESDB_CONNECTION_STRING/);
    expect(check({ ...KAFKA, ...MONGO, ...ESDB }, ['relay'])).not.toThrow();
  });

  it('refuses an API alone on the embedded log with Kafka: nothing would relay its events', () => {
    expect(check({ ...KAFKA, ...MONGO }, ['api'])).toThrow(/CRM_ROLES=api,relay/);
    expect(check({ ...KAFKA, ...MONGO, ...ESDB }, ['api'])).not.toThrow();
  });

  it('accepts the API with the relay in one process and the projector in another', () => {
    expect(check({ ...KAFKA, ...MONGO }, ['api', 'relay'])).not.toThrow();
    expect(check({ ...KAFKA, ...MONGO }, ['projector'])).not.toThrow();
  });
});
