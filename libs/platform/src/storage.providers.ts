import type { Provider } from '@nestjs/common';
import { MongoClient } from 'mongodb';
import { join } from 'node:path';
import { componentsOf, type CrmConfig } from '@crm/config';
import { EVENT_STORE, type EventStore, SqliteEventStore } from '@crm/event-store';
import { DOCUMENT_STORE, EmbeddedDocumentStore, MongoDocumentStore } from '@crm/read-models';
import { MONGO_CLIENT } from './tokens';

async function eventStoreOf(config: CrmConfig): Promise<EventStore> {
  if (!config.esdbConnectionString) return new SqliteEventStore(join(config.dataDir, 'events.db'));
  // Loaded only when configured: the client brings a native module the embedded default does not need.
  const { EsdbEventStore } = await import('@crm/event-store/esdb');
  return new EsdbEventStore(config.esdbConnectionString);
}

/** The event log and the read-model store, chosen by which settings are present (SPEC: Configuration). */
export function storageProviders(config: CrmConfig): Provider[] {
  const components = componentsOf(config);
  return [
    {
      provide: MONGO_CLIENT,
      // No transactions or retryable writes are needed (and mongo-java-server offers neither).
      useFactory: () => (config.mongoUrl ? MongoClient.connect(config.mongoUrl, { retryWrites: false }) : null),
    },
    { provide: EVENT_STORE, useFactory: () => eventStoreOf(config) },
    {
      provide: DOCUMENT_STORE,
      useFactory: (mongo: MongoClient | null) =>
        components.readModels === 'mongodb' ? MongoDocumentStore.fromClient(mongo!) : new EmbeddedDocumentStore(join(config.dataDir, 'read-models.db')),
      inject: [MONGO_CLIENT],
    },
  ];
}
