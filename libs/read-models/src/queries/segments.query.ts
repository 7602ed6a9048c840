import {
  countSegments,
  type CustomerSegments,
  factsAsOf,
  type SegmentCounts,
  type SegmentationThresholds,
  segmentCustomers,
} from '@crm/domain';
import type { DocumentStore } from '../document-store/document-store.port';
import { type TimelineDocument, timelineProjection } from '../projections/timeline.projection';

export const SEGMENT_KINDS = ['tier', 'loyalty', 'rfm', 'risk'] as const;
export type SegmentKind = (typeof SEGMENT_KINDS)[number];

export interface SegmentSnapshot {
  asOf: string;
  position: number;
  counts: SegmentCounts;
  /** Live customers' segments, ordered by customer id (for stable paging). */
  segments: CustomerSegments[];
  byCustomer: Map<string, CustomerSegments>;
}

export function segmentName(segments: CustomerSegments, kind: SegmentKind): string | null {
  switch (kind) {
    case 'tier':
      return segments.tier;
    case 'loyalty':
      return segments.loyalty;
    case 'rfm':
      return segments.rfm?.segment ?? null;
    case 'risk':
      return segments.risk.level;
  }
}

/**
 * Segments depend on the reference time, so they are computed at query time over every timeline.
 * A snapshot for "now" is reused for `nowReuseMs`, as long as it is fresh enough for the caller.
 */
export class SegmentsQuery {
  private latest: { snapshot: SegmentSnapshot; forNow: boolean; computedAt: number } | null = null;
  private computingNow: Promise<SegmentSnapshot> | null = null;

  constructor(
    private readonly store: DocumentStore,
    private readonly thresholds: SegmentationThresholds,
    private readonly clock: () => Date,
    private readonly nowReuseMs = 2_000,
  ) {}

  /**
   * Segments as of `asOf` (default now) over read models at position `current`. A "now" snapshot
   * up to `nowReuseMs` old is reused when it reflects at least `required` (the caller's minPosition).
   */
  async snapshot(asOf: Date | undefined, current: number, required = 0): Promise<SegmentSnapshot> {
    const now = this.clock().getTime();
    const last = this.latest;
    if (last && last.snapshot.position >= required) {
      if (asOf && !last.forNow && last.snapshot.asOf === asOf.toISOString() && last.snapshot.position === current) return last.snapshot;
      if (!asOf && last.forNow && now - last.computedAt <= this.nowReuseMs) return last.snapshot;
    }
    if (asOf) return this.remember(await this.compute(asOf, current), false, now);
    // Concurrent "now" queries share one computation.
    this.computingNow ??= this.compute(new Date(now), current).finally(() => (this.computingNow = null));
    const snapshot = await this.computingNow;
    return snapshot.position >= required ? this.remember(snapshot, true, now) : this.snapshot(asOf, current, required);
  }

  private remember(snapshot: SegmentSnapshot, forNow: boolean, computedAt: number): SegmentSnapshot {
    this.latest = { snapshot, forNow, computedAt };
    return snapshot;
  }

  private async compute(asOf: Date, position: number): Promise<SegmentSnapshot> {
    const at = asOf.getTime();
    const timelines = await this.store.find<TimelineDocument>(timelineProjection.collection, {});
    const facts = timelines.map((t) => factsAsOf(t, at)).filter((f) => f !== null);
    const segments = segmentCustomers(facts, at, this.thresholds).sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
    return {
      asOf: asOf.toISOString(),
      position,
      counts: countSegments(segments),
      segments,
      byCustomer: new Map(segments.map((s) => [s.customerId, s])),
    };
  }
}
