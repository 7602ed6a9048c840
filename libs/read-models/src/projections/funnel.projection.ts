import type { AcquisitionChannel } from '@crm/domain';
import type { Projection, ProjectionDocument } from './projection';

export const FUNNEL_STAGES = ['acquired', 'engaged', 'converted', 'retained'] as const;
export type FunnelStage = (typeof FUNNEL_STAGES)[number];

/** One customer's place in its acquisition cohort: the furthest stage reached, and whether churned now. */
export interface FunnelDocument extends ProjectionDocument {
  /** Acquisition month in UTC, YYYY-MM. */
  cohort: string;
  channel: AcquisitionChannel;
  furthest: FunnelStage;
  churned: boolean;
}

type Member = Omit<FunnelDocument, 'revision' | 'position'>;

const rank = (stage: FunnelStage): number => FUNNEL_STAGES.indexOf(stage);
const further = (a: FunnelStage, b: FunnelStage): FunnelStage => (rank(b) > rank(a) ? b : a);

export const funnelProjection: Projection<FunnelDocument> = {
  name: 'funnel',
  collection: 'funnel_members',
  everyEvent: false,
  evolve(doc, event): Member {
    if (event.type === 'CustomerAcquired') {
      const cohort = event.metadata.occurredAt.slice(0, 7);
      return { _id: event.customerId, cohort, channel: event.data.channel, furthest: 'acquired', churned: false };
    }
    if (!doc) throw new Error(`${event.type} before CustomerAcquired for ${event.customerId}`);
    const reach = (stage: FunnelStage) => (further(doc.furthest, stage) === doc.furthest ? doc : { ...doc, furthest: stage });
    switch (event.type) {
      case 'CustomerContacted':
        return reach('engaged');
      case 'PurchaseRecorded':
        // Only purchases lead to converted: a purchase after it is the second one or later.
        return reach(rank(doc.furthest) >= rank('converted') ? 'retained' : 'converted');
      case 'CustomerChurned':
        return doc.churned ? doc : { ...doc, churned: true };
      case 'CustomerReactivated':
        return doc.churned ? { ...doc, churned: false } : doc;
      default:
        return doc;
    }
  },
};
