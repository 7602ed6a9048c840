import { Inject, Injectable } from '@nestjs/common';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { CRM_CONFIG, type CrmConfig } from '@crm/config';

/** Phones are kept in E.164 so that "138 0013 8000" and "+8613800138000" are the same customer. */
@Injectable()
export class ContactNormalizer {
  constructor(@Inject(CRM_CONFIG) private readonly config: CrmConfig) {}

  phone<T extends string | null | undefined>(value: T): T {
    if (typeof value !== 'string') return value;
    return (parsePhoneNumberFromString(value, this.config.phoneRegion as CountryCode)?.number ?? value) as T;
  }

  contacts<T extends { phone?: string | null }>(body: T): T {
    return body.phone === undefined ? body : { ...body, phone: this.phone(body.phone) };
  }
}
