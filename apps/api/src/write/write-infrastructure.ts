import type { Provider } from '@nestjs/common';
import { join } from 'node:path';
import type { CrmConfig } from '@crm/config';
import { EVENT_STORE, SqliteEventStore } from '@crm/event-store';
import { KEY_STORE, type KeyStore, PersonalDataCipher, SqliteKeyStore } from '@crm/privacy';
import { COMMAND_STORE } from './command-store.port';
import { SqliteCommandStore } from './sqlite-command-store';

/** The embedded default: three SQLite files in the data folder (events, keys, command bookkeeping). */
export function writeInfrastructure(config: CrmConfig): Provider[] {
  const file = (name: string) => join(config.dataDir, name);
  return [
    { provide: EVENT_STORE, useFactory: () => new SqliteEventStore(file('events.db')) },
    { provide: KEY_STORE, useFactory: () => new SqliteKeyStore(file('keys.db')) },
    { provide: COMMAND_STORE, useFactory: () => new SqliteCommandStore(file('commands.db')) },
    { provide: PersonalDataCipher, useFactory: (keys: KeyStore) => new PersonalDataCipher(keys), inject: [KEY_STORE] },
  ];
}
