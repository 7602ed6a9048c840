import { Controller, type DynamicModule, Get, Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { checkRoles, ConfigModule, type CrmConfig, type ProcessRole } from '@crm/config';
import type { Relay } from '@crm/messaging';
import type { KafkaProjector } from '@crm/read-models';
import { installFastAsyncResourceBind } from '../async-resource-bind';
import { CLOCK, systemClock } from '../clock';
import { feedProviders } from '../feed.providers';
import { PlatformRuntime } from '../platform-runtime';
import { startOrClose } from '../startup-failure';
import { storageProviders } from '../storage.providers';
import { KAFKA_PROJECTOR, RELAY } from '../tokens';

@Injectable()
class WorkerLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(private readonly platform: PlatformRuntime) {}

  onApplicationBootstrap(): Promise<void> {
    return this.platform.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.platform.stop();
  }
}

/** Liveness and what the worker is doing, for container health checks and operators. */
@Controller()
class WorkerStatusController {
  constructor(
    @Inject(RELAY) private readonly relay: Relay | null,
    @Inject(KAFKA_PROJECTOR) private readonly projector: KafkaProjector | null,
  ) {}

  @Get('health')
  health() {
    return { status: 'ok', relay: this.relay?.status() ?? null, projector: this.projector?.status() ?? null };
  }
}

@Module({})
class WorkerModule {
  static forRoot(config: CrmConfig, roles: ProcessRole[]): DynamicModule {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config)],
      controllers: [WorkerStatusController],
      providers: [
        { provide: CLOCK, useValue: systemClock },
        ...storageProviders(config, roles),
        ...feedProviders(config, roles),
        PlatformRuntime,
        WorkerLifecycle,
      ],
    };
  }
}

/** A relay or projector process: the platform's feed for its role, and a small status endpoint. */
export async function runWorker(config: CrmConfig, role: ProcessRole): Promise<NestFastifyApplication> {
  checkRoles(config, [role]);
  installFastAsyncResourceBind();
  const app = await NestFactory.create<NestFastifyApplication>(WorkerModule.forRoot(config, [role]), new FastifyAdapter(), {
    abortOnError: false,
    logger: ['fatal', 'error', 'warn', 'log'],
  });
  app.enableShutdownHooks();
  await startOrClose(app, () => app.listen({ host: config.http.host, port: config.http.port }));
  new Logger(role).log(`Running the ${role}; status on http://${config.http.host}:${config.http.port}/health`);
  return app;
}
