import type { CustomerTimeline } from '@crm/domain';
import { occurredAtMs } from './projected-event';
import type { Projection, ProjectionDocument } from './projection';

/** The dated facts segments and KPIs are computed from, for any asOf (business times, epoch ms). */
export type TimelineDocument = ProjectionDocument & CustomerTimeline;

type Timeline = Omit<TimelineDocument, 'revision' | 'position'>;

export const timelineProjection: Projection<TimelineDocument> = {
  name: 'timelines',
  collection: 'customer_timelines',
  everyEvent: false,
  evolve(doc, event): Timeline {
    const at = occurredAtMs(event);
    if (event.type === 'CustomerAcquired') {
      return {
        _id: event.customerId,
        customerId: event.customerId,
        acquiredAt: at,
        purchases: [],
        contacts: [],
        complaints: [],
        feedback: [],
        churnEvents: [],
        erasedAt: null,
      };
    }
    if (!doc) throw new Error(`${event.type} before CustomerAcquired for ${event.customerId}`);
    switch (event.type) {
      case 'CustomerContacted':
        return { ...doc, contacts: [...doc.contacts, at] };
      case 'PurchaseRecorded':
        return { ...doc, purchases: [...doc.purchases, { at, amountMinor: event.data.amountMinor }] };
      case 'ComplaintFiled': {
        const complaint = { id: event.data.complaintId, severity: event.data.severity, filedAt: at, resolvedAt: null };
        return { ...doc, complaints: [...doc.complaints, complaint] };
      }
      case 'ComplaintResolved':
        return {
          ...doc,
          complaints: doc.complaints.map((c) => (c.id === event.data.complaintId && c.resolvedAt === null ? { ...c, resolvedAt: at } : c)),
        };
      case 'FeedbackGiven':
        return { ...doc, feedback: [...doc.feedback, { at, csat: event.data.csat ?? null, nps: event.data.nps ?? null }] };
      case 'CustomerChurned':
        return { ...doc, churnEvents: [...doc.churnEvents, { at, kind: 'churned' }] };
      case 'CustomerReactivated':
        return { ...doc, churnEvents: [...doc.churnEvents, { at, kind: 'reactivated' }] };
      case 'PersonalDataErased':
        return { ...doc, erasedAt: at };
      default:
        return doc;
    }
  },
};
