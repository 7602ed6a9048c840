import { Inject, Injectable, ParseUUIDPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import {
  IsISO8601,
  IsOptional,
  registerDecorator,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { isValidPhoneNumber, type CountryCode } from 'libphonenumber-js';
import { CRM_CONFIG, type CrmConfig } from '@crm/config';
import { ApiError } from './api-error';

/** Every command may state when it happened in business time; the server's clock is the default. */
export abstract class CommandRequest {
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true }, { message: 'occurredAt must be an ISO 8601 date-time' })
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

export const CustomerIdParam = new ParseUUIDPipe({
  exceptionFactory: () =>
    new ApiError(400, 'VALIDATION_FAILED', 'The request is invalid', { fields: [{ field: 'id', errors: ['id must be a UUID'] }] }),
});
