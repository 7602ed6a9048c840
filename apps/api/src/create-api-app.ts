import { type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { useContainer } from 'class-validator';
import type { CrmConfig } from '@crm/config';
import { ApiModule, type ApiModuleOptions } from './api.module';
import { ApiErrorFilter } from './http/api-error.filter';
import { createValidationPipe } from './http/validation';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The API as a Nest application, initialised but not listening (main.ts listens; tests inject). */
export async function createApiApp(config: CrmConfig, options: ApiModuleOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: config.http.bodyLimitBytes, return503OnClosing: true });
  // JSON only: any other body (text/plain included) is answered 415 by Fastify.
  adapter.getInstance().removeContentTypeParser('text/plain');
  const root = ApiModule.forRoot(config, options);
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    logger: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
    abortOnError: false,
  });
  // Validation constraints that need configuration (phone region) come from Nest's container.
  useContainer(app.select(root), { fallbackOnErrors: true });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ApiErrorFilter());
  app.enableShutdownHooks();
  await app.init();
  return app;
}
