import type { ComplaintSeverity } from '../customer/customer.events';

export const DAY_MS = 86_400_000;

export interface ChurnRiskThresholds {
  stalePurchaseDays: number;
  stalePurchasePoints: number;
  agingPurchaseDays: number;
  agingPurchasePoints: number;
  noContactDays: number;
  noContactPoints: number;
  pointsPerOpenComplaint: number;
  maxComplaintPoints: number;
  severeSeverities: readonly ComplaintSeverity[];
  severeComplaintPoints: number;
  poorCsatMax: number;
  poorNpsMax: number;
  poorFeedbackPoints: number;
  maxScore: number;
  mediumFrom: number;
  highFrom: number;
}

// The first six keys match `AppConfig.segmentation`, so `{ ...DEFAULT_SEGMENTATION_THRESHOLDS, ...config.segmentation }` works.
export interface SegmentationThresholds {
  windowDays: number;
  vipShare: number;
  /** Share of the population just below vip (the "next 20%"), not a cumulative share. */
  importantShare: number;
  newDays: number;
  loyalMinPurchases: number;
  loyalTenureDays: number;
  risk: ChurnRiskThresholds;
}

export const DEFAULT_SEGMENTATION_THRESHOLDS: SegmentationThresholds = Object.freeze({
  windowDays: 365,
  vipShare: 0.1,
  importantShare: 0.2,
  newDays: 90,
  loyalMinPurchases: 4,
  loyalTenureDays: 180,
  risk: Object.freeze({
    stalePurchaseDays: 180,
    stalePurchasePoints: 40,
    agingPurchaseDays: 90,
    agingPurchasePoints: 20,
    noContactDays: 90,
    noContactPoints: 20,
    pointsPerOpenComplaint: 15,
    maxComplaintPoints: 30,
    severeSeverities: Object.freeze(['high', 'critical'] as const),
    severeComplaintPoints: 10,
    poorCsatMax: 2,
    poorNpsMax: 6,
    poorFeedbackPoints: 10,
    maxScore: 100,
    mediumFrom: 30,
    highFrom: 60,
  }),
});
