import { randomUUID } from 'node:crypto';
import type { EventToAppend, RecordedEvent } from '@crm/event-store';

export function eventMetadata(eventId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId,
    commandId: randomUUID(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    actor: { id: 'svc-orders', role: 'service' },
    occurredAt: '2025-03-01T10:00:00.000Z',
    recordedAt: '2025-03-01T10:00:01.000Z',
    schemaVersion: 1,
    ...overrides,
  };
}

/** A stored PurchaseRecorded with the shape the API writes (personal fields would be ciphertext). */
export function recordedEvent(overrides: Partial<RecordedEvent> = {}): RecordedEvent {
  const customerId = randomUUID();
  const eventId = overrides.eventId ?? randomUUID();
  return {
    eventId,
    streamId: `customer-${customerId}`,
    type: 'PurchaseRecorded',
    revision: 3,
    position: 42,
    data: { customerId, orderId: 'o-1', amountMinor: 12_900, currency: 'CNY' },
    metadata: eventMetadata(eventId),
    ...overrides,
  };
}

export function eventToAppend(customerId: string, type = 'CustomerContacted'): EventToAppend {
  const eventId = randomUUID();
  return { eventId, type, data: { customerId, channel: 'enc:v1:aGVsbG8=' }, metadata: eventMetadata(eventId) };
}
