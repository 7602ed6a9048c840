import { DAY_MS, DEFAULT_SEGMENTATION_THRESHOLDS, type ChurnRiskThresholds } from './segmentation.thresholds';
import type { CustomerFacts, RiskLevel } from './segmentation.types';

/**
 * Ages are compared in milliseconds and strictly: a purchase exactly 180 days old earns only the 90-day points.
 * A customer who never purchased earns no purchase-age points (SPEC counts "never" only for contacts).
 * Poor feedback is one +10 whether CSAT, NPS or both are poor; a missing score is not poor.
 */
export function churnRiskScore(facts: CustomerFacts, asOf: number, t: ChurnRiskThresholds = DEFAULT_SEGMENTATION_THRESHOLDS.risk): number {
  let score = 0;
  const lastPurchaseAt = lastPurchaseAsOf(facts, asOf);
  if (lastPurchaseAt !== null) {
    const age = asOf - lastPurchaseAt;
    if (age > t.stalePurchaseDays * DAY_MS) score += t.stalePurchasePoints;
    else if (age > t.agingPurchaseDays * DAY_MS) score += t.agingPurchasePoints;
  }
  if (facts.lastContactAt === null || asOf - facts.lastContactAt > t.noContactDays * DAY_MS) score += t.noContactPoints;
  const open = facts.openComplaintSeverities;
  score += Math.min(open.length * t.pointsPerOpenComplaint, t.maxComplaintPoints);
  if (open.some((s) => t.severeSeverities.includes(s))) score += t.severeComplaintPoints;
  const poorCsat = facts.csatLast !== null && facts.csatLast <= t.poorCsatMax;
  const poorNps = facts.npsLast !== null && facts.npsLast <= t.poorNpsMax;
  if (poorCsat || poorNps) score += t.poorFeedbackPoints;
  return Math.min(score, t.maxScore);
}

export function riskLevelOf(score: number, t: ChurnRiskThresholds = DEFAULT_SEGMENTATION_THRESHOLDS.risk): RiskLevel {
  if (score < t.mediumFrom) return 'low';
  if (score < t.highFrom) return 'medium';
  return 'high';
}

function lastPurchaseAsOf(facts: CustomerFacts, asOf: number): number | null {
  let last: number | null = null;
  for (const p of facts.purchases) if (p.at <= asOf && (last === null || p.at > last)) last = p.at;
  return last;
}
