import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PlatformRuntime } from '@crm/platform';
import { KEY_STORE, type KeyStore } from '@crm/privacy';
import { COMMAND_INGRESS } from './ingress/command-ingress.provider';
import type { KafkaCommandIngress } from './ingress/kafka-command-ingress';
import { COMMAND_STORE, type CommandStore } from './write/command-store.port';

/**
 * Starts the feeds and the command ingress once everything is wired; on shutdown (after the HTTP
 * server stopped taking requests) stops them, then closes the write side's stores, then the
 * platform's, letting queued appends commit first.
 */
@Injectable()
export class ApiLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly platform: PlatformRuntime,
    @Inject(KEY_STORE) private readonly keys: KeyStore,
    @Inject(COMMAND_STORE) private readonly commands: CommandStore,
    @Inject(COMMAND_INGRESS) private readonly ingress: KafkaCommandIngress | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.platform.start();
    await this.ingress?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.ingress?.stop();
    await this.platform.stop(async () => {
      await this.commands.close();
      await this.keys.close();
    });
  }
}
