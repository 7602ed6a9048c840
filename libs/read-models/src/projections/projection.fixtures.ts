import type { CustomerEvent } from '@crm/domain';
import type { ProjectedEvent } from './projected-event';
import { project, type Projection, type ProjectionDocument } from './projection';

export const CUSTOMER = '3f0c8a52-1b2d-4c3e-9f4a-5b6c7d8e9f01';

/** A stream of one customer's events with consecutive revisions and business times given per event. */
export function stream(events: (CustomerEvent | [CustomerEvent, string])[], firstPosition = 10): ProjectedEvent[] {
  return events.map((entry, revision) => {
    const [event, occurredAt] = Array.isArray(entry) ? entry : [entry, `2026-01-${String(revision + 1).padStart(2, '0')}T10:00:00.000Z`];
    return {
      ...event,
      customerId: CUSTOMER,
      revision,
      position: firstPosition + revision * 3,
      metadata: {
        eventId: `e-${revision}`,
        commandId: `c-${revision}`,
        correlationId: `c-${revision}`,
        causationId: `c-${revision}`,
        actor: { id: 'key-test', role: 'service' },
        occurredAt,
        recordedAt: occurredAt,
        schemaVersion: 1,
      },
    } as ProjectedEvent;
  });
}

export function fold<D extends ProjectionDocument>(projection: Projection<D>, events: ProjectedEvent[], from: D | null = null): D | null {
  return events.reduce<D | null>((doc, event) => project(projection, doc, event), from);
}

const c = CUSTOMER;
export const acquired = (over: Record<string, unknown> = {}): CustomerEvent =>
  ({ type: 'CustomerAcquired', data: { customerId: c, name: 'x', email: 'enc', channel: 'web', type: 'consumer', tags: ['a'], ...over } }) as CustomerEvent;
export const contacted = (over: Record<string, unknown> = {}): CustomerEvent =>
  ({ type: 'CustomerContacted', data: { customerId: c, channel: 'phone', direction: 'outbound', outcome: 'reached', ...over } }) as CustomerEvent;
export const purchased = (orderId: string, amountMinor: number): CustomerEvent => ({
  type: 'PurchaseRecorded',
  data: { customerId: c, orderId, amountMinor, currency: 'CNY' },
});
export const complained = (complaintId: string, severity: 'low' | 'medium' | 'high' | 'critical' = 'low'): CustomerEvent => ({
  type: 'ComplaintFiled',
  data: { customerId: c, complaintId, category: 'billing', severity, description: 'enc' },
});
export const resolved = (complaintId: string): CustomerEvent => ({
  type: 'ComplaintResolved',
  data: { customerId: c, complaintId, resolution: 'enc' },
});
export const feedback = (csat?: number, nps?: number): CustomerEvent => ({ type: 'FeedbackGiven', data: { customerId: c, csat, nps } });
export const churned = (): CustomerEvent => ({ type: 'CustomerChurned', data: { customerId: c, reason: 'enc' } });
export const reactivated = (): CustomerEvent => ({ type: 'CustomerReactivated', data: { customerId: c } });
export const erased = (): CustomerEvent => ({ type: 'PersonalDataErased', data: { customerId: c } });
export const ownerAssigned = (ownerId: string): CustomerEvent => ({ type: 'OwnerAssigned', data: { customerId: c, ownerId } });
