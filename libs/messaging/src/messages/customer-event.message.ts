import { customerIdFromStream, customerStreamId } from '@crm/domain';
import type { RecordedEvent } from '@crm/event-store';
import { z } from 'zod';
import { CONTENT_TYPE_JSON, HEADER, type IncomingMessage, InvalidMessageError, keyOf, parseJsonValue, parseWith, requireHeader, type TextHeaders } from './message-codec';

export const EVENT_HEADER = {
  eventId: 'event-id',
  eventType: 'event-type',
  streamRevision: 'stream-revision',
  globalPosition: 'global-position',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  schemaVersion: 'schema-version',
} as const;

const id = z.string().min(1);

// Recorded facts are checked for shape, not vocabulary (an actor role is any string): a consumer
// must not dead-letter history because a list of allowed values grew after it was written.
const metadataSchema = z.looseObject({
  eventId: id,
  commandId: id,
  correlationId: id,
  causationId: id,
  actor: z.looseObject({ id, role: id }),
  occurredAt: z.iso.datetime({ offset: true }),
  recordedAt: z.iso.datetime({ offset: true }),
  schemaVersion: z.number().int().min(1),
});

// Unknown top-level fields are ignored, so adding a field stays a compatible change within v1.
const valueSchema = z.object({
  eventId: id,
  streamId: id,
  customerId: id,
  type: id,
  revision: z.number().int().min(0),
  position: z.number().int().min(0),
  data: z.record(z.string(), z.unknown()),
  metadata: metadataSchema,
});

export type CustomerEventKey = string;
export type CustomerEventValue = z.output<typeof valueSchema>;
/** What the relay sends: a stored event, not yet proven to carry the full metadata. */
export type CustomerEventPayload = Omit<CustomerEventValue, 'metadata'> & { metadata: Record<string, unknown> };

export interface CustomerEventMessage {
  key: CustomerEventKey;
  value: string;
  headers: TextHeaders;
}

/** The relay's transform: pure, one stored event to one message keyed by customer id. */
export function toCustomerEventMessage(event: RecordedEvent): CustomerEventMessage {
  const { eventId, streamId, type, revision, position, data, metadata } = event;
  return encodeCustomerEventMessage({ eventId, streamId, customerId: customerIdFromStream(streamId), type, revision, position, data, metadata });
}

export function encodeCustomerEventMessage(value: CustomerEventPayload): CustomerEventMessage {
  const { metadata } = value;
  const headers: TextHeaders = {
    [HEADER.messageKind]: 'event',
    [HEADER.contentType]: CONTENT_TYPE_JSON,
    [EVENT_HEADER.eventId]: value.eventId,
    [EVENT_HEADER.eventType]: value.type,
    [EVENT_HEADER.streamRevision]: String(value.revision),
    [EVENT_HEADER.globalPosition]: String(value.position),
  };
  // Metadata the event lacks is left out rather than invented; the consumer's decoder rejects it.
  if (typeof metadata.correlationId === 'string') headers[EVENT_HEADER.correlationId] = metadata.correlationId;
  if (typeof metadata.causationId === 'string') headers[EVENT_HEADER.causationId] = metadata.causationId;
  if (typeof metadata.schemaVersion === 'number') headers[EVENT_HEADER.schemaVersion] = String(metadata.schemaVersion);
  return { key: value.customerId, value: JSON.stringify(value), headers };
}

export function decodeCustomerEventMessage(message: IncomingMessage): CustomerEventValue {
  requireHeader(message, HEADER.messageKind, 'event');
  requireHeader(message, HEADER.contentType, CONTENT_TYPE_JSON);
  const value = parseWith(valueSchema, parseJsonValue(message), 'customer event');
  if (value.streamId !== customerStreamId(value.customerId)) {
    throw new InvalidMessageError(`streamId ${value.streamId} is not the stream of customer ${value.customerId}`);
  }
  if (value.metadata.eventId !== value.eventId) throw new InvalidMessageError(`metadata.eventId ${value.metadata.eventId} is not eventId ${value.eventId}`);
  const key = keyOf(message);
  if (key !== value.customerId) throw new InvalidMessageError(`key ${key ?? '(none)'} is not the customerId ${value.customerId}`);
  requireHeader(message, EVENT_HEADER.eventId, value.eventId);
  requireHeader(message, EVENT_HEADER.eventType, value.type);
  requireHeader(message, EVENT_HEADER.streamRevision, String(value.revision));
  requireHeader(message, EVENT_HEADER.globalPosition, String(value.position));
  requireHeader(message, EVENT_HEADER.correlationId, value.metadata.correlationId);
  requireHeader(message, EVENT_HEADER.causationId, value.metadata.causationId);
  requireHeader(message, EVENT_HEADER.schemaVersion, String(value.metadata.schemaVersion));
  return value;
}
