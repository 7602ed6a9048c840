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
  purchases: number;
  churned: boolean;
}

type Member = Omit<FunnelDocument, 'revision' | 'position'>;

const rank = (stage: FunnelStage): number => FUNNEL_STAGES.indexOf(stage);
const further = (a: FunnelStage, b: FunnelStage): FunnelStage => (rank(b) > rank(a) ? b : a);

export const funnelProjection: Projection<FunnelDocument> = {
  name: 'funnel',
  collection: 'funnel_members',
  evolve(doc, event): Member {
    if (event.type === 'CustomerAcquired') {
      const cohort = event.metadata.occurredAt.slice(0, 7);
      return { _id: event.customerId, cohort, channel: event.data.channel, furthest: 'acquired', purchases: 0, churned: false };
    }
    if (!doc) throw new Error(`${event.type} before CustomerAcquired for ${event.customerId}`);
    switch (event.type) {
      case 'CustomerContacted':
        return { ...doc, furthest: further(doc.furthest, 'engaged') };
      case 'PurchaseRecorded': {
        const purchases = doc.purchases + 1;
        return { ...doc, purchases, furthest: further(doc.furthest, purchases >= 2 ? 'retained' : 'converted') };
      }
      case 'CustomerChurned':
        return { ...doc, churned: true };
      case 'CustomerReactivated':
        return { ...doc, churned: false };
      default:
        return doc;
    }
  },
};
