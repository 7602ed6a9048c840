import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@crm/event-store';
import { KEY_STORE, type KeyStore } from '@crm/privacy';
import { DOCUMENT_STORE, type DocumentStore, READ_SIDE, type ReadSide } from '@crm/read-models';
import { COMMAND_STORE, type CommandStore } from './write/command-store.port';

/**
 * Starts the projector once everything is wired, and on shutdown (after the HTTP server stopped
 * taking requests) stops it and closes the stores in order, letting queued appends commit first.
 */
@Injectable()
export class StorageLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(KEY_STORE) private readonly keys: KeyStore,
    @Inject(COMMAND_STORE) private readonly commands: CommandStore,
    @Inject(READ_SIDE) private readonly readSide: ReadSide,
    @Inject(DOCUMENT_STORE) private readonly documents: DocumentStore,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.readSide.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.readSide.stop();
    await this.events.close();
    await this.commands.close();
    await this.keys.close();
    await this.documents.close();
  }
}
