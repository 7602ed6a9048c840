import { customerIdFromStream, type RecordedCustomerEvent, toCustomerEvent } from '@crm/domain';

/** A customer event as a projection sees it: where it sits in its stream and in the global log. */
export type ProjectedEvent = RecordedCustomerEvent & {
  customerId: string;
  revision: number;
  position: number;
};

export interface StoredEventLike {
  streamId: string;
  type: string;
  revision: number;
  position: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** Throws UnknownEventTypeError for a type this code does not know (a poison event for the projector). */
export function toProjectedEvent(stored: StoredEventLike): ProjectedEvent {
  const { type, data, metadata } = toCustomerEvent(stored);
  return { type, data, metadata, customerId: customerIdFromStream(stored.streamId), revision: stored.revision, position: stored.position } as ProjectedEvent;
}

/** Business time of an event in epoch ms (projections never read the wall clock). */
export function occurredAtMs(event: ProjectedEvent): number {
  return Date.parse(event.metadata.occurredAt);
}
