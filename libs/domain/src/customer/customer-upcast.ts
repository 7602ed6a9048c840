import { CUSTOMER_EVENT_TYPES, type CustomerEventType, type RecordedCustomerEvent } from './customer.events';

export interface StoredEventShape {
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export class UnknownEventTypeError extends Error {
  constructor(readonly type: string) {
    super(`Unknown customer event type ${type}`);
    this.name = 'UnknownEventTypeError';
  }
}

const KNOWN = new Set<string>(CUSTOMER_EVENT_TYPES);

/**
 * The one door from stored events into the domain. Stored types are never renamed (CONVENTIONS 3):
 * when a schema changes, its older versions are upcast here, keyed by type and metadata.schemaVersion.
 * Every event type is at version 1 today.
 */
export function toCustomerEvent(stored: StoredEventShape): RecordedCustomerEvent {
  if (!KNOWN.has(stored.type)) throw new UnknownEventTypeError(stored.type);
  return { type: stored.type as CustomerEventType, data: stored.data, metadata: stored.metadata } as unknown as RecordedCustomerEvent;
}
