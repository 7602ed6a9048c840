import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { join } from 'node:path';
import type { CrmConfig } from '@crm/config';
import { EVENT_STORE, type EventStore, SqliteEventStore } from '@crm/event-store';
import { KEY_STORE, type KeyStore, PersonalDataCipher, SqliteKeyStore } from '@crm/privacy';
import { COMMAND_STORE, type CommandStore } from './command-store.port';
import { SqliteCommandStore } from './sqlite-command-store';

/** Closes stores after the HTTP server stopped taking requests, letting queued appends commit first. */
@Injectable()
export class WriteInfrastructureShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(KEY_STORE) private readonly keys: KeyStore,
    @Inject(COMMAND_STORE) private readonly commands: CommandStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.events.close();
    await this.commands.close();
    await this.keys.close();
  }
}

/** The embedded default: three SQLite files in the data folder (events, keys, command bookkeeping). */
export function writeInfrastructure(config: CrmConfig): Provider[] {
  const file = (name: string) => join(config.dataDir, name);
  return [
    { provide: EVENT_STORE, useFactory: () => new SqliteEventStore(file('events.db')) },
    { provide: KEY_STORE, useFactory: () => new SqliteKeyStore(file('keys.db')) },
    { provide: COMMAND_STORE, useFactory: () => new SqliteCommandStore(file('commands.db')) },
    { provide: PersonalDataCipher, useFactory: (keys: KeyStore) => new PersonalDataCipher(keys), inject: [KEY_STORE] },
    WriteInfrastructureShutdown,
  ];
}
