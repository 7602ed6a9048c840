import type { CustomerEventType } from './customer.events';

/**
 * Fields that identify a person or hold free text (SPEC: Security). These are encrypted with the
 * customer's key before an event is stored, and read as "[erased]" once the key is gone.
 */
export const PERSONAL_FIELDS: Readonly<Record<CustomerEventType, readonly string[]>> = {
  CustomerAcquired: ['name', 'email', 'phone'],
  CustomerContacted: ['summary'],
  PurchaseRecorded: [],
  ComplaintFiled: ['description'],
  ComplaintResolved: ['resolution'],
  FeedbackGiven: ['comment'],
  ProfileUpdated: ['name', 'email', 'phone'],
  OwnerAssigned: [],
  CustomerChurned: ['reason'],
  CustomerReactivated: ['reason'],
  PersonalDataErased: [],
};

export function personalFieldsOf(type: string): readonly string[] {
  return (PERSONAL_FIELDS as Record<string, readonly string[]>)[type] ?? [];
}
