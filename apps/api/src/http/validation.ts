import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError } from './api-error';

export function flatten(errors: ValidationError[], parent = ''): { field: string; errors: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, errors: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** A body must be a JSON object; a missing body counts as an empty one (e.g. POST .../reactivation). */
class BodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body') {
      if (value === undefined) value = {};
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new ApiError(400, 'VALIDATION_FAILED', 'The request is invalid', {
          fields: [{ field: 'body', errors: ['the body must be a JSON object'] }],
        });
      }
    }
    return super.transform(value, metadata);
  }
}

/** The validation rules of every request, whatever its transport. */
export const VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: { target: false, value: false },
  stopAtFirstError: false,
} as const;

/** Every field error at once (SPEC: Errors), unknown fields rejected, nothing converted implicitly. */
export function createValidationPipe(): ValidationPipe {
  return new BodyValidationPipe({
    ...VALIDATION_OPTIONS,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) =>
      new ApiError(400, 'VALIDATION_FAILED', 'The request is invalid', { fields: flatten(errors) }),
  });
}
