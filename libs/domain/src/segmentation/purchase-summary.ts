import { DAY_MS } from './segmentation.thresholds';
import type { PurchaseFact } from './segmentation.types';

export interface PurchaseSummary {
  firstAt: number | null;
  lastAt: number | null;
  windowCount: number;
  windowSpendMinor: number;
}

/** The window is `asOf - windowDays < at <= asOf`: a purchase exactly windowDays old has left it. */
export function summarizePurchases(purchases: readonly PurchaseFact[], asOf: number, windowDays: number): PurchaseSummary {
  const windowStart = asOf - windowDays * DAY_MS;
  let firstAt: number | null = null;
  let lastAt: number | null = null;
  let windowCount = 0;
  let windowSpendMinor = 0;
  for (const p of purchases) {
    // Facts should hold only purchases up to asOf; dropping later ones keeps a sloppy caller from leaking the future.
    if (p.at > asOf) continue;
    if (firstAt === null || p.at < firstAt) firstAt = p.at;
    if (lastAt === null || p.at > lastAt) lastAt = p.at;
    if (p.at > windowStart) {
      windowCount += 1;
      windowSpendMinor += p.amountMinor;
    }
  }
  return { firstAt, lastAt, windowCount, windowSpendMinor };
}

/** Whole days since the last purchase, used for R so that two purchases on the same day tie. */
export function recencyDays(lastAt: number, asOf: number): number {
  return Math.floor((asOf - lastAt) / DAY_MS);
}
