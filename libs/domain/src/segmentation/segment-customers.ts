import { churnRiskScore, riskLevelOf } from './churn-risk';
import { loyaltyClassOf, valueTierOf } from './loyalty-and-tier';
import { recencyDays, summarizePurchases } from './purchase-summary';
import { countGreater, countLess, sortedAscending } from './rank';
import { rfmSegmentOf, scoreFromWorse } from './rfm';
import { DEFAULT_SEGMENTATION_THRESHOLDS, type SegmentationThresholds } from './segmentation.thresholds';
import {
  LOYALTY_CLASSES,
  RFM_SEGMENTS,
  RISK_LEVELS,
  VALUE_TIERS,
  type CustomerFacts,
  type CustomerSegments,
  type SegmentCounts,
} from './segmentation.types';

/** Segments of the live customers among `facts`, in input order; churned and erased customers are left out. */
export function segmentCustomers(
  facts: readonly CustomerFacts[],
  asOf: number,
  thresholds: SegmentationThresholds = DEFAULT_SEGMENTATION_THRESHOLDS,
): CustomerSegments[] {
  const live = facts.filter((f) => f.live);
  const summaries = live.map((f) => summarizePurchases(f.purchases, asOf, thresholds.windowDays));
  const population = summaries.filter((s) => s.windowCount > 0);
  const n = population.length;
  const days = sortedAscending(population.map((s) => recencyDays(s.lastAt!, asOf)));
  const counts = sortedAscending(population.map((s) => s.windowCount));
  const spends = sortedAscending(population.map((s) => s.windowSpendMinor));

  return live.map((f, i) => {
    const s = summaries[i];
    let rfm: CustomerSegments['rfm'] = null;
    let tier: CustomerSegments['tier'] = 'none';
    if (s.windowCount > 0) {
      // "Worse" means more days since the last purchase, fewer purchases, less spend.
      const r = scoreFromWorse(countGreater(days, recencyDays(s.lastAt!, asOf)), n);
      const fScore = scoreFromWorse(countLess(counts, s.windowCount), n);
      const m = scoreFromWorse(countLess(spends, s.windowSpendMinor), n);
      rfm = { r, f: fScore, m, segment: rfmSegmentOf(r, fScore) };
      tier = valueTierOf(countGreater(spends, s.windowSpendMinor), n, thresholds);
    }
    const score = churnRiskScore(f, asOf, thresholds.risk);
    return {
      customerId: f.customerId,
      rfm,
      tier,
      loyalty: loyaltyClassOf(s, asOf, thresholds),
      risk: { score, level: riskLevelOf(score, thresholds.risk) },
    };
  });
}

/** Counts per name, every name present (0 when empty); customers outside the RFM population are not counted under rfm. */
export function countSegments(segments: readonly CustomerSegments[]): SegmentCounts {
  const counts: SegmentCounts = {
    tier: zeros(VALUE_TIERS),
    loyalty: zeros(LOYALTY_CLASSES),
    rfm: zeros(RFM_SEGMENTS),
    risk: zeros(RISK_LEVELS),
  };
  for (const s of segments) {
    counts.tier[s.tier] += 1;
    counts.loyalty[s.loyalty] += 1;
    counts.risk[s.risk.level] += 1;
    if (s.rfm) counts.rfm[s.rfm.segment] += 1;
  }
  return counts;
}

function zeros<K extends string>(names: readonly K[]): Record<K, number> {
  return Object.fromEntries(names.map((k) => [k, 0])) as Record<K, number>;
}
