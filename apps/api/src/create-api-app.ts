import { type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { useContainer } from 'class-validator';
import type { CrmConfig } from '@crm/config';
import { installFastAsyncResourceBind, startOrClose } from '@crm/platform';
import { ApiModule, type ApiModuleOptions } from './api.module';
import { toApiError } from './http/api-error';
import { ApiErrorFilter } from './http/api-error.filter';
import { installIdempotency } from './http/idempotency.hooks';
import { PhoneNumberRule } from './http/request-rules';
import { createValidationPipe } from './http/validation';
import { COMMAND_STORE } from './write/command-store.port';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The API as a Nest application, initialised but not listening (main.ts listens; tests inject). */
export async function createApiApp(config: CrmConfig, options: ApiModuleOptions): Promise<NestFastifyApplication> {
  installFastAsyncResourceBind();
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    return503OnClosing: true,
    // The router's own errors (bad URL encoding, overlong path parameters) never reach Nest's filter.
    frameworkErrors: (error: Error, _request: FastifyRequest, reply: FastifyReply) => {
      const apiError = toApiError(error);
      void reply.status(apiError.status).send(apiError.toBody());
    },
  });
  // JSON only: any other body (text/plain included) is answered 415 by Fastify.
  adapter.getInstance().removeContentTypeParser('text/plain');
  const root = ApiModule.forRoot(config, options);
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    logger: LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1),
    abortOnError: false,
    // Nest's parsers would add application/x-www-form-urlencoded; Fastify's own JSON parser is all we accept.
    bodyParser: false,
  });
  // The one validation constraint that needs configuration (phone region) comes from Nest's container;
  // every other constraint from class-validator's own (asking Nest for those would throw each time).
  const phoneRule = app.get(PhoneNumberRule);
  useContainer({ get: (type: unknown) => (type === PhoneNumberRule ? phoneRule : undefined) }, { fallback: true });
  if (config.http.rateLimitPerMinute > 0) {
    // Per API key, not per address: services often share a gateway address.
    await app.register(rateLimit, {
      max: config.http.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => options.apiKeys.resolve(request.headers.authorization)?.id ?? `address:${request.ip}`,
      allowList: (request) => request.url === '/health',
    });
  }
  installIdempotency(adapter.getInstance(), { keys: options.apiKeys, store: app.get(COMMAND_STORE), ttlMs: config.idempotencyTtlMs });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ApiErrorFilter());
  app.enableShutdownHooks();
  await startOrClose(app, () => app.init());
  return app;
}
