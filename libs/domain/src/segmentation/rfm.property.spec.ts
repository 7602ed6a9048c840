import fc from 'fast-check';
import { segmentCustomers } from './segment-customers';
import { AS_OF, facts } from './segmentation.fixtures';
import { DAY_MS } from './segmentation.thresholds';
import type { CustomerFacts } from './segmentation.types';

// Coarse ages and amounts so that ties are frequent; some purchases fall outside the window.
const purchase = fc.record({
  at: fc.tuple(fc.integer({ min: 0, max: 400 }), fc.constantFrom(0, 3_600_000)).map(([d, ms]) => AS_OF - d * DAY_MS - ms),
  amountMinor: fc.integer({ min: 0, max: 5 }).map((x) => x * 100),
});
const customers = fc.array(fc.array(purchase, { maxLength: 6 }), { minLength: 1, maxLength: 40 }).map((lists) =>
  lists.map((purchases, i) => facts(`c${i}`, { purchases })),
);

type Metric = 'r' | 'f' | 'm';
// Larger is better for each metric as computed here (recency negated).
function metricValues(c: CustomerFacts): Record<Metric, number> | null {
  const inWindow = c.purchases.filter((p) => p.at > AS_OF - 365 * DAY_MS && p.at <= AS_OF);
  if (inWindow.length === 0) return null;
  const last = Math.max(...inWindow.map((p) => p.at));
  return {
    r: -Math.floor((AS_OF - last) / DAY_MS),
    f: inWindow.length,
    m: inWindow.reduce((sum, p) => sum + p.amountMinor, 0),
  };
}

function scored(all: CustomerFacts[]) {
  const segs = segmentCustomers(all, AS_OF);
  return all
    .map((c, i) => ({ value: metricValues(c), rfm: segs[i].rfm }))
    .filter((x): x is { value: Record<Metric, number>; rfm: NonNullable<typeof x.rfm> } => x.value !== null);
}

describe('RFM score properties', () => {
  it('puts exactly the customers with a purchase in the window in the population', () => {
    fc.assert(
      fc.property(customers, (all) => {
        const segs = segmentCustomers(all, AS_OF);
        all.forEach((c, i) => expect(segs[i].rfm === null).toBe(metricValues(c) === null));
      }),
    );
  });

  it.each(['r', 'f', 'm'] as const)('%s: within 1..5, ties share, strictly better never scores lower, and matches the formula', (k) => {
    fc.assert(
      fc.property(customers, (all) => {
        const pop = scored(all);
        const n = pop.length;
        for (const a of pop) {
          expect([1, 2, 3, 4, 5]).toContain(a.rfm[k]);
          const worse = pop.filter((b) => b.value[k] < a.value[k]).length;
          expect(a.rfm[k]).toBe(Math.min(5, 1 + Math.floor((5 * worse) / n)));
          for (const b of pop) {
            if (a.value[k] === b.value[k]) expect(a.rfm[k]).toBe(b.rfm[k]);
            if (a.value[k] > b.value[k]) expect(a.rfm[k]).toBeGreaterThanOrEqual(b.rfm[k]);
          }
        }
      }),
    );
  });
});
