import { computeKpis } from './kpis';
import { DAY_MS } from './segmentation.thresholds';
import type { CustomerTimeline } from './segmentation.types';

const asOf = Date.parse('2026-06-30T00:00:00.000Z');
const daysAgo = (d: number) => asOf - d * DAY_MS;

function customer(id: string, over: Partial<CustomerTimeline> = {}): CustomerTimeline {
  return { customerId: id, acquiredAt: daysAgo(400), purchases: [], contacts: [], complaints: [], feedback: [], churnEvents: [], erasedAt: null, ...over };
}

describe('KPIs as of a time', () => {
  it('counts managed (live) and active (purchase or contact within 90 days) customers', () => {
    const k = computeKpis(
      [
        customer('a', { purchases: [{ at: daysAgo(10), amountMinor: 1 }] }),
        customer('b', { contacts: [daysAgo(89)] }),
        customer('c', { contacts: [daysAgo(91)] }),
        customer('d', { churnEvents: [{ at: daysAgo(5), kind: 'churned' }], purchases: [{ at: daysAgo(6), amountMinor: 1 }] }),
        customer('e', { erasedAt: daysAgo(1), contacts: [daysAgo(1)] }),
        customer('f', { acquiredAt: asOf + 1 }),
      ],
      asOf,
    );
    expect(k.managedCustomers).toBe(3);
    expect(k.activeCustomers).toBe(2);
  });

  it('computes churn over customers live at some point of the window', () => {
    const k = computeKpis(
      [
        customer('live-at-start'),
        customer('lost', { churnEvents: [{ at: daysAgo(30), kind: 'churned' }] }),
        customer('new-in-window', { acquiredAt: daysAgo(20) }),
        customer('lost-before-window', { churnEvents: [{ at: daysAgo(380), kind: 'churned' }] }),
        customer('won-back-then-lost', {
          churnEvents: [
            { at: daysAgo(380), kind: 'churned' },
            { at: daysAgo(100), kind: 'reactivated' },
            { at: daysAgo(50), kind: 'churned' },
          ],
        }),
      ],
      asOf,
    );
    // base: live-at-start, lost, new-in-window, won-back-then-lost = 4; lost: lost, won-back-then-lost = 2
    expect(k.churnRate).toBe(0.5);
  });

  it('averages each customer\'s latest CSAT in the window and scores NPS from the latest answers', () => {
    const k = computeKpis(
      [
        customer('a', { feedback: [{ at: daysAgo(300), csat: 1, nps: 0 }, { at: daysAgo(3), csat: 5, nps: 10 }] }),
        customer('b', { feedback: [{ at: daysAgo(2), csat: 2, nps: null }, { at: daysAgo(1), csat: null, nps: 6 }] }),
        customer('c', { feedback: [{ at: daysAgo(400), csat: 1, nps: 0 }] }),
        customer('d', { feedback: [{ at: daysAgo(4), csat: null, nps: 8 }] }),
      ],
      asOf,
    );
    expect(k.csatMean).toBe(3.5);
    // promoters: a (10); detractors: b (6); passive: d (8) -> (1 - 1) / 3
    expect(k.nps).toBe(0);
  });

  it('counts open complaints as of asOf and the median resolution time of those resolved in the window', () => {
    const k = computeKpis(
      [
        customer('a', {
          complaints: [
            { id: '1', severity: 'low', filedAt: daysAgo(10), resolvedAt: daysAgo(10) + 2 * 3_600_000 },
            { id: '2', severity: 'high', filedAt: daysAgo(10), resolvedAt: daysAgo(10) + 10 * 3_600_000 },
            { id: '3', severity: 'low', filedAt: daysAgo(5), resolvedAt: null },
            { id: '4', severity: 'low', filedAt: daysAgo(5), resolvedAt: asOf + 1 },
          ],
        }),
        customer('b', { complaints: [{ id: '5', severity: 'low', filedAt: daysAgo(20), resolvedAt: daysAgo(20) + 3 * 3_600_000 }] }),
      ],
      asOf,
    );
    expect(k.openComplaints).toBe(2);
    expect(k.medianResolutionHours).toBe(3);
  });

  it('gives neutral values without data', () => {
    expect(computeKpis([], asOf)).toEqual({
      managedCustomers: 0,
      activeCustomers: 0,
      churnRate: 0,
      csatMean: null,
      nps: null,
      openComplaints: 0,
      medianResolutionHours: null,
    });
  });
});
