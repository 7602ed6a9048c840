import type { PurchaseSummary } from './purchase-summary';
import { DAY_MS, type SegmentationThresholds } from './segmentation.thresholds';
import type { LoyaltyClass, ValueTier } from './segmentation.types';

// Shares become integer parts per million so that 0.1 + 0.2 cuts exactly at 30% (in floats it is 0.30000000000000004).
const PPM = 1_000_000;

/**
 * "Top 10% / next 20%" read with ties sharing: `better` is the number of population members with a strictly
 * greater window spend; vip when better < vipShare * n, important when better < (vipShare + importantShare) * n.
 * So with n = 10 and distinct spends exactly one vip and two important; customers tied at a cut share the higher
 * tier (the tier may hold more than its share); with small n the top customer is always vip.
 */
export function valueTierOf(better: number, n: number, t: SegmentationThresholds): Exclude<ValueTier, 'none'> {
  const vipPpm = Math.round(t.vipShare * PPM);
  const importantPpm = vipPpm + Math.round(t.importantShare * PPM);
  if (better * PPM < vipPpm * n) return 'vip';
  if (better * PPM < importantPpm * n) return 'important';
  return 'ordinary';
}

/** 'new' is checked before 'loyal'; both ages are inclusive (exactly 90 days is new, exactly 180 days can be loyal). */
export function loyaltyClassOf(s: PurchaseSummary, asOf: number, t: SegmentationThresholds): LoyaltyClass {
  if (s.firstAt === null) return 'potential';
  const sinceFirst = asOf - s.firstAt;
  if (sinceFirst <= t.newDays * DAY_MS) return 'new';
  if (s.windowCount >= t.loyalMinPurchases && sinceFirst >= t.loyalTenureDays * DAY_MS) return 'loyal';
  return 'returning';
}
