import { HttpException } from '@nestjs/common';
import { errorCodes } from 'fastify';
import { DomainError } from '@crm/domain';
import { KeyShreddedError } from '@crm/privacy';
import { InvalidCursorError, NotYetVisibleError } from '@crm/read-models';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** An error with the SPEC's shape (`{ error: { code, message, details? } }`) and its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details && { details: this.details }) } };
  }
}

const DOMAIN_STATUS = { not_found: 404, conflict: 409, unprocessable: 422 } as const;

/**
 * Errors Fastify raises before a request reaches a controller (body parsing, limits). Nest hands
 * them on as plain HttpExceptions with Fastify's message, so the message is what identifies them.
 */
const FASTIFY_ERRORS = new Map<string, [number, string, string]>(
  (
    [
      ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'MALFORMED_JSON', 'The request body is not valid JSON'],
      ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'MALFORMED_JSON', 'The request body is empty but declared as JSON'],
      ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large'],
      ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the request body as application/json'],
      ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'BAD_REQUEST', 'Content-Length does not match the body'],
    ] as const
  ).map(([code, status, ours, message]) => [new errorCodes[code]().message, [status, ours, message]]),
);

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/** One mapping for every error the API can meet; anything unknown is a 500 whose details are not leaked. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof DomainError) return new ApiError(DOMAIN_STATUS[error.kind], error.code, error.message, error.details);
  if (error instanceof KeyShreddedError) return new ApiError(409, 'CUSTOMER_ERASED', 'The customer has been erased');
  if (error instanceof NotYetVisibleError) {
    return new ApiError(503, 'NOT_YET_VISIBLE', `${error.message}; retry shortly`, { position: error.current, minPosition: error.required });
  }
  if (error instanceof InvalidCursorError) {
    return new ApiError(400, 'VALIDATION_FAILED', 'The request is invalid', { fields: [{ field: 'cursor', errors: [error.message] }] });
  }
  if (error instanceof HttpException) {
    const fastify = FASTIFY_ERRORS.get(error.message);
    if (fastify) return new ApiError(...fastify);
    const status = error.getStatus();
    const message = status === 429 ? 'Too many requests; slow down' : error.message;
    return new ApiError(status, STATUS_CODES[status] ?? `HTTP_${status}`, message);
  }
  const fastify = error as { statusCode?: number; message?: string };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return new ApiError(fastify.statusCode, STATUS_CODES[fastify.statusCode] ?? 'BAD_REQUEST', fastify.message ?? 'Bad request');
  }
  return new ApiError(500, 'INTERNAL_ERROR', 'An unexpected error occurred; it has been logged');
}
