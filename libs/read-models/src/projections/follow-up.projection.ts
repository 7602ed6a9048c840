import type { ContactOutcome } from '@crm/domain';
import type { Projection, ProjectionDocument } from './projection';

/** The follow-up an owner owes a customer: due when the last contact asked for one. */
export interface FollowUpDocument extends ProjectionDocument {
  ownerId: string | null;
  /** ISO time the follow-up is due; null when none is pending. */
  dueAt: string | null;
  lastContactAt: string | null;
  lastOutcome: ContactOutcome | null;
  /** Not churned and not erased: only live customers are followed up. */
  live: boolean;
}

type FollowUp = Omit<FollowUpDocument, 'revision' | 'position'>;

export const followUpProjection: Projection<FollowUpDocument> = {
  name: 'follow-ups',
  collection: 'follow_ups',
  everyEvent: false,
  evolve(doc, event): FollowUp {
    if (event.type === 'CustomerAcquired') {
      return { _id: event.customerId, ownerId: event.data.ownerId ?? null, dueAt: null, lastContactAt: null, lastOutcome: null, live: true };
    }
    if (!doc) throw new Error(`${event.type} before CustomerAcquired for ${event.customerId}`);
    switch (event.type) {
      case 'CustomerContacted': {
        const { nextFollowUpAt, outcome } = event.data;
        const at = event.metadata.occurredAt;
        // "follow-up-needed" without a date is due at once; any later contact settles an earlier follow-up.
        // Canonical ISO (UTC, milliseconds) so due dates compare correctly as strings.
        const dueAt = nextFollowUpAt ? new Date(nextFollowUpAt).toISOString() : outcome === 'follow-up-needed' ? at : null;
        return { ...doc, dueAt, lastContactAt: at, lastOutcome: outcome };
      }
      case 'OwnerAssigned':
        return doc.ownerId === event.data.ownerId ? doc : { ...doc, ownerId: event.data.ownerId };
      case 'CustomerChurned':
      case 'PersonalDataErased':
        return doc.live ? { ...doc, live: false } : doc;
      case 'CustomerReactivated':
        return doc.live ? doc : { ...doc, live: true };
      default:
        return doc;
    }
  },
};
