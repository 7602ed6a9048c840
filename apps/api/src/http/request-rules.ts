import { type ArgumentMetadata, Inject, Injectable, ParseUUIDPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  IsISO8601,
  IsOptional,
  registerDecorator,
  ValidateBy,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { isValidPhoneNumber, type CountryCode } from 'libphonenumber-js';
import { CRM_CONFIG, type CrmConfig } from '@crm/config';
import { ApiError } from './api-error';

/**
 * IsISO8601 also passes forms JavaScript's Date cannot read (20240101T000000Z, 2024-W01-1), which
 * would fail later as a 500; every date the API reads goes through Date.
 */
export const IsReadableDate = () =>
  ValidateBy({
    name: 'isReadableDate',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value)),
      defaultMessage: () => '$property must be a date-time such as 2024-05-01T08:30:00Z',
    },
  });

/** Every command may state when it happened in business time; the server's clock is the default. */
export abstract class CommandRequest {
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'occurredAt must be an ISO 8601 date-time' })
  @IsReadableDate()
  occurredAt?: string;
}

/** Emails compare case-insensitively: they are stored trimmed and lower-cased. */
export const NormalizeEmail = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));

/** Phone numbers are judged against the configured default region, so it has to come from DI. */
@ValidatorConstraint({ name: 'isPhoneNumber' })
@Injectable()
export class PhoneNumberRule implements ValidatorConstraintInterface {
  constructor(@Inject(CRM_CONFIG) private readonly config: CrmConfig) {}

  validate(value: unknown): boolean {
    return typeof value === 'string' && value.length <= 32 && isValidPhoneNumber(value, this.config.phoneRegion as CountryCode);
  }

  defaultMessage(): string {
    return `$property must be a valid phone number (international, or national in ${this.config.phoneRegion})`;
  }
}

export function IsPhoneNumber(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({ target: target.constructor, propertyName: String(propertyName), validator: PhoneNumberRule });
}

/** UUIDs compare case-insensitively (RFC 9562): ids are kept lower-case, so one customer has one stream. */
export const LowerCaseId = () => Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value));

class CustomerIdPipe extends ParseUUIDPipe {
  override async transform(value: string, metadata: ArgumentMetadata): Promise<string> {
    return (await super.transform(value, metadata)).toLowerCase();
  }
}

export const CustomerIdParam = new CustomerIdPipe({
  exceptionFactory: () =>
    new ApiError(400, 'VALIDATION_FAILED', 'The request is invalid', { fields: [{ field: 'id', errors: ['id must be a UUID'] }] }),
});
