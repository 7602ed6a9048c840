import { churnRiskScore, ERASED, factsAsOf, riskLevelOf, type SegmentationThresholds } from '@crm/domain';
import type { DocumentStore, Filter } from '../document-store/document-store.port';
import { type ProfileDocument, profileProjection } from '../projections/profile.projection';
import { type TimelineDocument, timelineProjection } from '../projections/timeline.projection';
import { decodeCursor, type Page, pageOf } from './cursor';
import { type SegmentKind, segmentName, type SegmentsQuery } from './segments.query';

const MASKED = '***';

export interface ProfileFilters {
  stage?: string;
  ownerId?: string;
  region?: string;
  tier?: string;
  loyalty?: string;
  rfmSegment?: string;
  riskLevel?: string;
}

export type ProfileView = ReturnType<typeof present>;

/** Analysts never see personal data: the read model holds none, and the reply shows only that it exists. */
function present(doc: ProfileDocument, churnRisk: number | null, riskLevel: string | null) {
  const personal = (present: boolean) => (doc.erased ? ERASED : present ? MASKED : null);
  return {
    customerId: doc._id,
    name: personal(true),
    email: personal(doc.hasEmail),
    phone: personal(doc.hasPhone),
    stage: doc.stage,
    type: doc.type,
    channel: doc.channel,
    region: doc.region,
    ownerId: doc.ownerId,
    tags: doc.tags,
    acquiredAt: doc.acquiredAt,
    purchaseCount: doc.purchaseCount,
    totalSpendMinor: doc.totalSpendMinor,
    lastPurchaseAt: doc.lastPurchaseAt,
    lastContactAt: doc.lastContactAt,
    nextFollowUpAt: doc.nextFollowUpAt,
    openComplaints: doc.openComplaints,
    csatLast: doc.csatLast,
    npsLast: doc.npsLast,
    churnRisk,
    riskLevel,
    erased: doc.erased,
    revision: doc.revision,
  };
}

export class ProfilesQuery {
  constructor(
    private readonly store: DocumentStore,
    private readonly segments: SegmentsQuery,
    private readonly thresholds: SegmentationThresholds,
    private readonly clock: () => Date,
  ) {}

  async one(customerId: string): Promise<ProfileView | null> {
    const doc = await this.store.findOne<ProfileDocument>(profileProjection.collection, { _id: customerId });
    if (!doc) return null;
    const timeline = await this.store.findOne<TimelineDocument>(timelineProjection.collection, { _id: customerId });
    const now = this.clock().getTime();
    const facts = timeline ? factsAsOf(timeline, now) : null;
    // Churn risk is defined for live customers only (SPEC: segmentation covers live customers).
    const score = facts?.live ? churnRiskScore(facts, now, this.thresholds.risk) : null;
    return present(doc, score, score === null ? null : riskLevelOf(score, this.thresholds.risk));
  }

  async list(filters: ProfileFilters, limit: number, cursor: string | undefined, position: number): Promise<Page<ProfileView>> {
    const filter: Filter = {};
    for (const field of ['stage', 'ownerId', 'region'] as const) if (filters[field] !== undefined) filter[field] = filters[field];
    const after = decodeCursor(cursor);
    if (after) filter._id = { $gt: after };
    const bySegment: [SegmentKind, string][] = (
      [
        ['tier', filters.tier],
        ['loyalty', filters.loyalty],
        ['rfm', filters.rfmSegment],
        ['risk', filters.riskLevel],
      ] as [SegmentKind, string | undefined][]
    ).filter((f): f is [SegmentKind, string] => f[1] !== undefined);
    // Required at `position` too: the reply claims that position, so segment filters must not come from an older snapshot.
    const snapshot = await this.segments.snapshot(undefined, position, position);
    if (bySegment.length > 0) {
      const ids = snapshot.segments.filter((s) => bySegment.every(([kind, name]) => segmentName(s, kind) === name)).map((s) => s.customerId);
      filter._id = after ? { $gt: after, $in: ids } : { $in: ids };
    }
    const docs = await this.store.find<ProfileDocument>(profileProjection.collection, filter, { sort: { _id: 1 }, limit: limit + 1 });
    const views = docs.map((doc) => {
      const risk = snapshot.byCustomer.get(doc._id)?.risk;
      return present(doc, risk?.score ?? null, risk?.level ?? null);
    });
    return pageOf(views, limit);
  }
}
