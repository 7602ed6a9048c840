import type { ComplaintSeverity } from '../customer/customer.events';

export interface PurchaseFact {
  at: number;
  amountMinor: number;
}

/** What segmentation needs to know about one customer as of `asOf` (epoch ms, UTC). */
export interface CustomerFacts {
  customerId: string;
  /** Not churned and not erased as of asOf. */
  live: boolean;
  /** Every purchase with at <= asOf, in any order. */
  purchases: readonly PurchaseFact[];
  /** null = never contacted. */
  lastContactAt: number | null;
  openComplaintSeverities: readonly ComplaintSeverity[];
  csatLast: number | null;
  npsLast: number | null;
}

/** What a read model keeps per customer so that facts can be derived for any past asOf; business times in epoch ms. */
export interface CustomerTimeline {
  customerId: string;
  acquiredAt: number;
  purchases: readonly PurchaseFact[];
  contacts: readonly number[];
  complaints: readonly { id: string; severity: ComplaintSeverity; filedAt: number; resolvedAt: number | null }[];
  feedback: readonly { at: number; csat: number | null; nps: number | null }[];
  churnEvents: readonly { at: number; kind: 'churned' | 'reactivated' }[];
  erasedAt: number | null;
}

export const RFM_SEGMENTS = [
  'champions',
  'loyal',
  'potential-loyalist',
  'new-customer',
  'promising',
  'need-attention',
  'about-to-sleep',
  'at-risk',
  'cant-lose',
  'hibernating',
  'lost',
] as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[number];

export const VALUE_TIERS = ['vip', 'important', 'ordinary', 'none'] as const;
export type ValueTier = (typeof VALUE_TIERS)[number];

export const LOYALTY_CLASSES = ['potential', 'new', 'returning', 'loyal'] as const;
export type LoyaltyClass = (typeof LOYALTY_CLASSES)[number];

export const RISK_LEVELS = ['low', 'medium', 'high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export interface CustomerSegments {
  customerId: string;
  /** null when the customer is not in the scoring population (no purchase in the window). */
  rfm: { r: number; f: number; m: number; segment: RfmSegment } | null;
  tier: ValueTier;
  loyalty: LoyaltyClass;
  risk: { score: number; level: RiskLevel };
}

export interface SegmentCounts {
  tier: Record<ValueTier, number>;
  loyalty: Record<LoyaltyClass, number>;
  rfm: Record<RfmSegment, number>;
  risk: Record<RiskLevel, number>;
}
