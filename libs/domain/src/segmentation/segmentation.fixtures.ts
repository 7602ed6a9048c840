import { segmentCustomers } from './segment-customers';
import { DAY_MS, type SegmentationThresholds } from './segmentation.thresholds';
import type { CustomerFacts, CustomerSegments, PurchaseFact } from './segmentation.types';

export const AS_OF = 1_735_689_600_000; // 2025-01-01T00:00:00Z

export function daysAgo(days: number, extraMs = 0): number {
  return AS_OF - days * DAY_MS - extraMs;
}

export function bought(days: number, amountMinor = 100, extraMs = 0): PurchaseFact {
  return { at: daysAgo(days, extraMs), amountMinor };
}

/** A live customer contacted today, no complaints, no feedback: zero churn risk unless overridden. */
export function facts(customerId: string, over: Partial<CustomerFacts> = {}): CustomerFacts {
  return {
    customerId,
    live: true,
    purchases: [],
    lastContactAt: AS_OF,
    openComplaintSeverities: [],
    csatLast: null,
    npsLast: null,
    ...over,
  };
}

export function segmentsById(
  all: readonly CustomerFacts[],
  thresholds?: SegmentationThresholds,
): Record<string, CustomerSegments> {
  return Object.fromEntries(segmentCustomers(all, AS_OF, thresholds).map((s) => [s.customerId, s]));
}

export function only(over: Partial<CustomerFacts>, thresholds?: SegmentationThresholds): CustomerSegments {
  return segmentCustomers([facts('c', over)], AS_OF, thresholds)[0];
}
