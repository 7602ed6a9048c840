import type { Provider } from '@nestjs/common';
import { MongoClient } from 'mongodb';
import { join } from 'node:path';
import { componentsOf, type CrmConfig, type ProcessRole } from '@crm/config';
import { EVENT_STORE, type EventStore, SqliteEventStore } from '@crm/event-store';
import { DOCUMENT_STORE, EmbeddedDocumentStore, MongoDocumentStore } from '@crm/read-models';
import { CLOCK, type Clock, systemClock } from './clock';
import { NoEventLog } from './no-event-log';
import { WorkerReadSide } from './read-side-thread';
import { MONGO_CLIENT, READ_SIDE_THREAD } from './tokens';

async function eventStoreOf(config: CrmConfig, roles: readonly ProcessRole[]): Promise<EventStore> {
  if (!config.esdbConnectionString) {
    // The embedded log is the API's: another process opening one in its own folder would read an empty log.
    return roles.includes('api') ? new SqliteEventStore(join(config.dataDir, 'events.db')) : new NoEventLog();
  }
  // Loaded only when configured: the client brings a native module the embedded default does not need.
  const { EsdbEventStore } = await import('@crm/event-store/esdb');
  return new EsdbEventStore(config.esdbConnectionString);
}

/** The event log and the read-model store, chosen by which settings are present (SPEC: Configuration). */
export function storageProviders(config: CrmConfig, roles: readonly ProcessRole[]): Provider[] {
  const components = componentsOf(config);
  // The embedded default: the log is written here, and the read side (projector, documents,
  // queries, rebuilds) runs on a thread of its own so it does not slow the commands down.
  const readSideThread = components.eventStore === 'sqlite' && components.readModels === 'embedded' && components.feed === 'in-process' && roles.includes('api');
  return [
    {
      provide: MONGO_CLIENT,
      // No transactions or retryable writes are needed (and mongo-java-server offers neither).
      useFactory: () => (config.mongoUrl ? MongoClient.connect(config.mongoUrl, { retryWrites: false }) : null),
    },
    { provide: EVENT_STORE, useFactory: () => eventStoreOf(config, roles) },
    {
      provide: READ_SIDE_THREAD,
      useFactory: (events: EventStore, clock: Clock) =>
        readSideThread
          ? new WorkerReadSide(events as SqliteEventStore, {
              documentsFile: join(config.dataDir, 'read-models.db'),
              maxBatchSize: config.projectorBatchSize,
              now: clock === systemClock ? undefined : () => clock.now(),
            })
          : null,
      inject: [EVENT_STORE, CLOCK],
    },
    {
      provide: DOCUMENT_STORE,
      useFactory: (mongo: MongoClient | null, thread: WorkerReadSide | null) => {
        if (thread) return thread.documents;
        return components.readModels === 'mongodb' ? MongoDocumentStore.fromClient(mongo!) : new EmbeddedDocumentStore(join(config.dataDir, 'read-models.db'));
      },
      inject: [MONGO_CLIENT, READ_SIDE_THREAD],
    },
  ];
}
