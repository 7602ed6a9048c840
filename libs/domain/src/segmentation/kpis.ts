import { factsAsOf } from './customer-facts';
import { DAY_MS } from './segmentation.thresholds';
import type { CustomerTimeline } from './segmentation.types';

export interface Kpis {
  /** Live customers: acquired, not churned, not erased. */
  managedCustomers: number;
  /** Live customers with a purchase or a contact in the activity window. */
  activeCustomers: number;
  /** Customers lost in the window (churned as of asOf) over those live at some point of it (0..1). */
  churnRate: number;
  /** Mean of each customer's latest CSAT given in the window; null without answers. */
  csatMean: number | null;
  /** Net promoter score (-100..100) over each customer's latest NPS in the window; null without answers. */
  nps: number | null;
  openComplaints: number;
  /** Median hours from filing to resolution of complaints resolved in the window; null when none. */
  medianResolutionHours: number | null;
}

export interface KpiWindows {
  /** Window for churn, feedback and resolution times (SPEC's segmentation window). */
  windowDays: number;
  /** "Active" means a purchase or contact within this many days (SPEC: 90). */
  activeDays: number;
}

export const DEFAULT_KPI_WINDOWS: KpiWindows = { windowDays: 365, activeDays: 90 };

/**
 * KPIs as of a time, from the same timelines as the segments. Erased customers are out of analytics
 * altogether (as in segmentation), and nothing after asOf counts.
 */
export function computeKpis(timelines: readonly CustomerTimeline[], asOf: number, windows: KpiWindows = DEFAULT_KPI_WINDOWS): Kpis {
  const windowStart = asOf - windows.windowDays * DAY_MS;
  const activeSince = asOf - windows.activeDays * DAY_MS;
  const inWindow = (at: number) => at > windowStart && at <= asOf;
  let managed = 0;
  let active = 0;
  let base = 0;
  let lost = 0;
  let open = 0;
  const csat: number[] = [];
  const nps: number[] = [];
  const resolutionHours: number[] = [];

  for (const t of timelines) {
    if (t.erasedAt !== null) continue;
    const now = factsAsOf(t, asOf);
    if (!now) continue;
    const atStart = factsAsOf(t, windowStart);
    // The base: customers who were live at some point of the window, so the rate stays within 0..1.
    if (atStart?.live || inWindow(t.acquiredAt) || t.churnEvents.some((e) => e.kind === 'reactivated' && inWindow(e.at))) base++;
    if (!now.live && t.churnEvents.some((e) => e.kind === 'churned' && inWindow(e.at))) lost++;
    if (now.live) {
      managed++;
      const lastPurchase = now.purchases.reduce((max, p) => Math.max(max, p.at), -Infinity);
      if (lastPurchase > activeSince || (now.lastContactAt !== null && now.lastContactAt > activeSince)) active++;
    }
    open += now.openComplaintSeverities.length;
    const latest = (key: 'csat' | 'nps') =>
      t.feedback.filter((f) => f[key] !== null && inWindow(f.at)).reduce<{ at: number; v: number } | null>(
        (best, f) => (best === null || f.at >= best.at ? { at: f.at, v: f[key]! } : best),
        null,
      );
    const c = latest('csat');
    if (c) csat.push(c.v);
    const n = latest('nps');
    if (n) nps.push(n.v);
    for (const complaint of t.complaints) {
      if (complaint.resolvedAt !== null && inWindow(complaint.resolvedAt)) {
        resolutionHours.push((complaint.resolvedAt - complaint.filedAt) / 3_600_000);
      }
    }
  }

  return {
    managedCustomers: managed,
    activeCustomers: active,
    churnRate: base === 0 ? 0 : lost / base,
    csatMean: csat.length === 0 ? null : csat.reduce((a, b) => a + b, 0) / csat.length,
    nps: nps.length === 0 ? null : (100 * (nps.filter((s) => s >= 9).length - nps.filter((s) => s <= 6).length)) / nps.length,
    openComplaints: open,
    medianResolutionHours: median(resolutionHours),
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
