import { type CallHandler, type ExecutionContext, HttpStatus, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { createHash } from 'node:crypto';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { FastifyReply } from 'fastify';
import { CRM_CONFIG, type CrmConfig } from '@crm/config';
import type { AuthenticatedRequest } from '../auth/api-key.guard';
import { COMMAND_STORE, type CommandStore, type StoredReply } from '../write/command-store.port';
import { ApiError, type ErrorBody, toApiError } from './api-error';

/**
 * Idempotency-Key (SPEC: HTTP API): the first reply to a key is stored, and a retry with the same
 * key gets the same reply without a second effect. Server faults (5xx) are not stored, so they can
 * be retried; a key reused for a different request is refused.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(COMMAND_STORE) private readonly store: CommandStore,
    @Inject(CRM_CONFIG) private readonly config: CrmConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || request.method === 'GET' || !request.principal) return next.handle();
    const scope = request.principal.id;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
      .digest('base64url');
    const status = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === 'POST' ? 201 : 200);
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return from(this.once(`${scope}\n${key}`, () => this.replayOrRun(scope, key, fingerprint, status, reply, next)));
  }

  /** Concurrent retries of one key in this process wait for the first, then replay its reply. */
  private async once(id: string, run: () => Promise<unknown>): Promise<unknown> {
    for (let running = this.inFlight.get(id); running; running = this.inFlight.get(id)) {
      await running.catch(() => undefined);
    }
    const attempt = run();
    this.inFlight.set(id, attempt);
    try {
      return await attempt;
    } finally {
      this.inFlight.delete(id);
    }
  }

  private async replayOrRun(scope: string, key: string, fingerprint: string, status: number, reply: FastifyReply, next: CallHandler) {
    const stored = await this.store.findReply(scope, key);
    if (stored) return this.replay(stored, fingerprint, reply);
    try {
      const body = await lastValueFrom(next.handle());
      await this.store.saveReply(scope, key, { fingerprint, status, body }, this.config.idempotencyTtlMs);
      return body;
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.status < HttpStatus.INTERNAL_SERVER_ERROR) {
        await this.store.saveReply(scope, key, { fingerprint, status: apiError.status, body: apiError.toBody() }, this.config.idempotencyTtlMs);
      }
      throw error;
    }
  }

  private replay(stored: StoredReply, fingerprint: string, reply: FastifyReply): unknown {
    if (stored.fingerprint !== fingerprint) {
      throw new ApiError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request');
    }
    void reply.header('idempotent-replayed', 'true');
    if (stored.status >= 400) {
      const { error } = stored.body as ErrorBody;
      throw new ApiError(stored.status, error.code, error.message, error.details);
    }
    return stored.body;
  }
}
