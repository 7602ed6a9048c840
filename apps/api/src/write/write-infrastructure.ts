import type { Provider } from '@nestjs/common';
import type { MongoClient } from 'mongodb';
import { join } from 'node:path';
import { componentsOf, type CrmConfig } from '@crm/config';
import { MONGO_CLIENT } from '@crm/platform';
import { KEY_STORE, type KeyStore, MongoKeyStore, PersonalDataCipher, SqliteKeyStore } from '@crm/privacy';
import { COMMAND_STORE } from './command-store.port';
import { MongoCommandStore } from './mongo-command-store';
import { SqliteCommandStore } from './sqlite-command-store';

/**
 * The write side's own stores: data keys (outside the event log) and command bookkeeping. With
 * MONGO_URL they live in MongoDB, shared by every API instance; else in SQLite files in the data folder.
 */
export function writeInfrastructure(config: CrmConfig): Provider[] {
  const shared = componentsOf(config).writeSideStores === 'mongodb';
  const file = (name: string) => join(config.dataDir, name);
  return [
    {
      provide: KEY_STORE,
      useFactory: (mongo: MongoClient | null) => (shared ? MongoKeyStore.fromClient(mongo!) : new SqliteKeyStore(file('keys.db'))),
      inject: [MONGO_CLIENT],
    },
    {
      provide: COMMAND_STORE,
      useFactory: (mongo: MongoClient | null) => (shared ? MongoCommandStore.fromClient(mongo!) : new SqliteCommandStore(file('commands.db'))),
      inject: [MONGO_CLIENT],
    },
    { provide: PersonalDataCipher, useFactory: (keys: KeyStore) => new PersonalDataCipher(keys), inject: [KEY_STORE] },
  ];
}
