import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AuthenticatedRequest } from '../auth/api-key.guard';
import type { CommandContext } from '../write/command-context';
import { ApiError } from './api-error';
import { derivedIds } from '../write/derived-ids';

const ID_HEADER = /^[\x21-\x7e]{1,200}$/;

function header(request: AuthenticatedRequest, name: string): string | undefined {
  const value = request.headers[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !ID_HEADER.test(value)) {
    throw new ApiError(400, 'INVALID_HEADER', `${name} must be 1 to 200 visible ASCII characters`);
  }
  return value;
}

function expectedRevision(request: AuthenticatedRequest): number | undefined {
  const raw = request.headers['if-match'];
  if (raw === undefined) return undefined;
  const match = typeof raw === 'string' ? /^(?:W\/)?"?(-1|\d{1,15})"?$/.exec(raw.trim()) : null;
  if (!match) throw new ApiError(400, 'INVALID_IF_MATCH', 'If-Match must be a stream revision such as 4 or "4"');
  return Number(match[1]);
}

/** Ids and expectations of a command, from the authenticated key and the request headers. */
export function commandContextOf(request: AuthenticatedRequest): CommandContext {
  const idempotencyKey = header(request, 'idempotency-key');
  // The same key from the same caller always names the same command (and so the same event ids).
  const commandId = idempotencyKey ? derivedIds.command(request.principal.id, idempotencyKey) : randomUUID();
  const correlationId = header(request, 'x-correlation-id') ?? commandId;
  return {
    commandId,
    correlationId,
    causationId: header(request, 'x-causation-id') ?? correlationId,
    actor: { id: request.principal.id, role: request.principal.role },
    expectedRevision: expectedRevision(request),
  };
}

export const Command = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  commandContextOf(ctx.switchToHttp().getRequest<AuthenticatedRequest>()),
);
