import { type AcquisitionChannel, type CustomerType, type LifecycleStage, stageAfter } from '@crm/domain';
import type { Projection, ProjectionDocument } from './projection';

/** The customer as analysts see it. No personal field is stored here at all: only whether one exists. */
export interface ProfileDocument extends ProjectionDocument {
  customerId: string;
  stage: LifecycleStage;
  type: CustomerType;
  channel: AcquisitionChannel;
  region: string | null;
  ownerId: string | null;
  tags: string[];
  acquiredAt: string;
  purchaseCount: number;
  totalSpendMinor: number;
  lastPurchaseAt: string | null;
  lastContactAt: string | null;
  nextFollowUpAt: string | null;
  openComplaintIds: string[];
  openComplaints: number;
  csatLast: number | null;
  npsLast: number | null;
  hasEmail: boolean;
  hasPhone: boolean;
  erased: boolean;
}

type Profile = Omit<ProfileDocument, 'revision' | 'position'>;

const later = (a: string | null, b: string): string => (a !== null && a > b ? a : b);

export const profileProjection: Projection<ProfileDocument> = {
  name: 'profiles',
  collection: 'profiles',
  everyEvent: true,
  evolve(doc, event): Profile {
    const at = event.metadata.occurredAt;
    if (event.type === 'CustomerAcquired') {
      const d = event.data;
      return {
        _id: event.customerId,
        customerId: event.customerId,
        stage: 'acquired',
        type: d.type,
        channel: d.channel,
        region: d.region ?? null,
        ownerId: d.ownerId ?? null,
        tags: d.tags,
        acquiredAt: at,
        purchaseCount: 0,
        totalSpendMinor: 0,
        lastPurchaseAt: null,
        lastContactAt: null,
        nextFollowUpAt: null,
        openComplaintIds: [],
        openComplaints: 0,
        csatLast: null,
        npsLast: null,
        hasEmail: d.email !== undefined,
        hasPhone: d.phone !== undefined,
        erased: false,
      };
    }
    if (!doc) throw new Error(`${event.type} before CustomerAcquired for ${event.customerId}`);
    switch (event.type) {
      case 'CustomerContacted':
        return {
          ...doc,
          stage: stageAfter(doc.stage, event, doc.purchaseCount)!,
          lastContactAt: later(doc.lastContactAt, at),
          nextFollowUpAt: event.data.nextFollowUpAt ? new Date(event.data.nextFollowUpAt).toISOString() : null,
        };
      case 'PurchaseRecorded': {
        const purchaseCount = doc.purchaseCount + 1;
        return {
          ...doc,
          stage: stageAfter(doc.stage, event, purchaseCount)!,
          purchaseCount,
          totalSpendMinor: doc.totalSpendMinor + event.data.amountMinor,
          lastPurchaseAt: later(doc.lastPurchaseAt, at),
        };
      }
      case 'ComplaintFiled': {
        const openComplaintIds = [...doc.openComplaintIds, event.data.complaintId];
        return { ...doc, openComplaintIds, openComplaints: openComplaintIds.length };
      }
      case 'ComplaintResolved': {
        const openComplaintIds = doc.openComplaintIds.filter((id) => id !== event.data.complaintId);
        return { ...doc, openComplaintIds, openComplaints: openComplaintIds.length };
      }
      case 'FeedbackGiven':
        return { ...doc, csatLast: event.data.csat ?? doc.csatLast, npsLast: event.data.nps ?? doc.npsLast };
      case 'ProfileUpdated': {
        const d = event.data;
        return {
          ...doc,
          ...(d.type !== undefined && { type: d.type }),
          ...(d.region !== undefined && { region: d.region }),
          ...(d.tags !== undefined && { tags: d.tags }),
          ...(d.email !== undefined && { hasEmail: d.email !== null }),
          ...(d.phone !== undefined && { hasPhone: d.phone !== null }),
        };
      }
      case 'OwnerAssigned':
        return { ...doc, ownerId: event.data.ownerId };
      case 'CustomerChurned':
      case 'CustomerReactivated':
        return { ...doc, stage: stageAfter(doc.stage, event, doc.purchaseCount)! };
      case 'PersonalDataErased':
        return { ...doc, erased: true };
    }
  },
};
