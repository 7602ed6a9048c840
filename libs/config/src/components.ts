import type { CrmConfig } from './config';

export type ProcessRole = 'api' | 'relay' | 'projector';

export interface Components {
  /** EventStoreDB when ESDB_CONNECTION_STRING is set, else the embedded SQLite log. */
  eventStore: 'eventstoredb' | 'sqlite';
  /** Keys, idempotent replies, contact reservations: MongoDB when MONGO_URL is set (shared by instances), else SQLite. */
  writeSideStores: 'mongodb' | 'sqlite';
  /** Read models and checkpoints: MongoDB when MONGO_URL is set, else the embedded document store. */
  readModels: 'mongodb' | 'embedded';
  /** With KAFKA_BROKERS the relay publishes to Kafka and projectors consume it; else the projector tails the log in process. */
  feed: 'kafka' | 'in-process';
}

/** SPEC (Configuration): which components are used follows from which settings are present. */
export function componentsOf(config: CrmConfig): Components {
  return {
    eventStore: config.esdbConnectionString ? 'eventstoredb' : 'sqlite',
    writeSideStores: config.mongoUrl ? 'mongodb' : 'sqlite',
    readModels: config.mongoUrl ? 'mongodb' : 'embedded',
    feed: config.kafkaBrokers ? 'kafka' : 'in-process',
  };
}

export class CompositionError extends Error {}

/**
 * A process that does not run every role shares state with others through the servers: its event
 * log must be a server (or it reads nothing) and its read models must be shared.
 */
export function checkRoles(config: CrmConfig, roles: readonly ProcessRole[]): void {
  const c = componentsOf(config);
  const split = !(['api', 'relay', 'projector'] as const).every((r) => roles.includes(r));
  // All roles in one process without Kafka is the embedded default: the in-process projector is relay and projector.
  if (split && (roles.includes('relay') || roles.includes('projector')) && c.feed !== 'kafka') {
    throw new CompositionError('A relay or projector in its own process needs Kafka: set KAFKA_BROKERS');
  }
  if (split && c.readModels !== 'mongodb') {
    throw new CompositionError('Separate API, relay and projector processes share read models and checkpoints: set MONGO_URL');
  }
  if (c.feed === 'kafka' && c.eventStore !== 'eventstoredb' && roles.includes('api') && !roles.includes('relay')) {
    throw new CompositionError(
      'Nothing would publish the embedded event log to Kafka: run the relay in the API process (CRM_ROLES=api,relay) or set ESDB_CONNECTION_STRING',
    );
  }
  if (split && c.eventStore !== 'eventstoredb' && roles.includes('relay') && !roles.includes('api')) {
    throw new CompositionError(
      'A relay in its own process needs the event log of the API: set ESDB_CONNECTION_STRING (the embedded log lives in the API process)',
    );
  }
}
