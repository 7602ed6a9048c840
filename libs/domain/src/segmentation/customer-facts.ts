import type { CustomerFacts, CustomerTimeline } from './segmentation.types';

/**
 * Facts as of a past (or present) asOf; null when the customer was not yet acquired then.
 * Erasure counts at every asOf, even one before erasedAt: erasure takes the customer out of analytics
 * altogether, so an erased customer is never live (its non-personal facts are still returned).
 * Events at the same time are ordered as given, the later one in the array winning.
 */
export function factsAsOf(t: CustomerTimeline, asOf: number): CustomerFacts | null {
  if (t.acquiredAt > asOf) return null;
  return {
    customerId: t.customerId,
    live: t.erasedAt === null && !churnedAsOf(t, asOf),
    purchases: t.purchases.filter((p) => p.at <= asOf),
    lastContactAt: t.contacts.reduce<number | null>((last, at) => (at <= asOf && (last === null || at > last) ? at : last), null),
    openComplaintSeverities: t.complaints
      .filter((c) => c.filedAt <= asOf && (c.resolvedAt === null || c.resolvedAt > asOf))
      .map((c) => c.severity),
    csatLast: latestScore(t, asOf, 'csat'),
    npsLast: latestScore(t, asOf, 'nps'),
  };
}

function churnedAsOf(t: CustomerTimeline, asOf: number): boolean {
  let latest: { at: number; kind: 'churned' | 'reactivated' } | null = null;
  for (const e of t.churnEvents) if (e.at <= asOf && (latest === null || e.at >= latest.at)) latest = e;
  return latest?.kind === 'churned';
}

// The latest feedback that carries this score, so an NPS-only answer does not hide an earlier CSAT.
function latestScore(t: CustomerTimeline, asOf: number, key: 'csat' | 'nps'): number | null {
  let latest: { at: number; value: number } | null = null;
  for (const f of t.feedback) {
    const value = f[key];
    if (value !== null && f.at <= asOf && (latest === null || f.at >= latest.at)) latest = { at: f.at, value };
  }
  return latest === null ? null : latest.value;
}
