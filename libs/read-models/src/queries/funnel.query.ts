import type { DocumentStore, Filter } from '../document-store/document-store.port';
import { type FunnelDocument, funnelProjection, FUNNEL_STAGES } from '../projections/funnel.projection';

export interface Cohort {
  month: string;
  stages: { acquired: number; engaged: number; converted: number; retained: number; churned: number };
  conversion: { engaged: number; converted: number; retained: number };
}

const MAX_MONTHS = 240;

function months(from: string, to: string): string[] {
  const result: string[] = [];
  let [y, m] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  while ((y < ty || (y === ty && m <= tm)) && result.length < MAX_MONTHS) {
    result.push(`${y}-${String(m).padStart(2, '0')}`);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
  return result;
}

const rate = (part: number, whole: number): number => (whole === 0 ? 0 : part / whole);

/** Lifecycle funnel per acquisition-month cohort (UTC); counts are cumulative up to the furthest stage reached. */
export class FunnelQuery {
  constructor(private readonly store: DocumentStore) {}

  async cohorts(range: { from?: string; to?: string; channel?: string }): Promise<Cohort[]> {
    const filter: Filter = {};
    if (range.channel) filter.channel = range.channel;
    if (range.from || range.to) filter.cohort = { ...(range.from && { $gte: range.from }), ...(range.to && { $lte: range.to }) };
    const members = await this.store.find<FunnelDocument>(funnelProjection.collection, filter, {
      projection: { cohort: 1, furthest: 1, churned: 1 },
    });
    const seen = members.map((m) => m.cohort).sort();
    const from = range.from ?? seen[0];
    const to = range.to ?? seen[seen.length - 1];
    if (!from || !to) return [];
    const byMonth = new Map(months(from, to).map((month) => [month, [0, 0, 0, 0, 0]]));
    for (const m of members) {
      const counts = byMonth.get(m.cohort);
      if (!counts) continue;
      const reached = FUNNEL_STAGES.indexOf(m.furthest);
      for (let stage = 0; stage <= reached; stage++) counts[stage]++;
      if (m.churned) counts[4]++;
    }
    return [...byMonth].map(([month, [acquired, engaged, converted, retained, churned]]) => ({
      month,
      stages: { acquired, engaged, converted, retained, churned },
      conversion: { engaged: rate(engaged, acquired), converted: rate(converted, engaged), retained: rate(retained, converted) },
    }));
  }
}
