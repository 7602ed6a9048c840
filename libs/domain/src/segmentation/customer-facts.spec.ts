import { factsAsOf } from './customer-facts';
import { segmentCustomers } from './segment-customers';
import { DAY_MS } from './segmentation.thresholds';
import type { CustomerTimeline } from './segmentation.types';

const T0 = 1_704_067_200_000; // 2024-01-01T00:00:00Z
const day = (d: number) => T0 + d * DAY_MS;

const timeline: CustomerTimeline = {
  customerId: 'c1',
  acquiredAt: day(0),
  purchases: [
    { at: day(100), amountMinor: 900 },
    { at: day(10), amountMinor: 100 },
  ],
  contacts: [day(5), day(70), day(40)],
  complaints: [
    { id: 'k1', severity: 'critical', filedAt: day(20), resolvedAt: day(60) },
    { id: 'k2', severity: 'low', filedAt: day(21), resolvedAt: day(30) },
    { id: 'k3', severity: 'medium', filedAt: day(55), resolvedAt: null },
  ],
  feedback: [
    { at: day(10), csat: 4, nps: 9 },
    { at: day(30), csat: null, nps: 3 },
    { at: day(60), csat: 1, nps: 10 },
  ],
  churnEvents: [
    { at: day(15), kind: 'churned' },
    { at: day(25), kind: 'reactivated' },
  ],
  erasedAt: null,
};

describe('factsAsOf', () => {
  it('sees only what had happened by a past asOf', () => {
    expect(factsAsOf(timeline, day(50))).toEqual({
      customerId: 'c1',
      live: true, // churned on day 15, reactivated on day 25
      purchases: [{ at: day(10), amountMinor: 100 }], // the day-100 purchase is ignored
      lastContactAt: day(40),
      openComplaintSeverities: ['critical'], // k1 resolved on day 60 is still open on day 50; k2 was resolved
      csatLast: 4, // the day-30 feedback has no CSAT
      npsLast: 3,
    });
  });

  it('counts a complaint resolved exactly at asOf as resolved, and one filed exactly at asOf as open', () => {
    expect(factsAsOf(timeline, day(60))?.openComplaintSeverities).toEqual(['medium']); // k1 resolved on day 60
    expect(factsAsOf(timeline, day(55))?.openComplaintSeverities).toEqual(['critical', 'medium']);
  });

  it('is not live between churn and reactivation', () => {
    expect(factsAsOf(timeline, day(20))?.live).toBe(false);
    expect(factsAsOf(timeline, day(25))?.live).toBe(true);
  });

  it('lets the later of two churn events at the same time win, in the order given', () => {
    const sameTime = (kinds: ('churned' | 'reactivated')[]) => ({ ...timeline, churnEvents: kinds.map((kind) => ({ at: day(30), kind })) });
    expect(factsAsOf(sameTime(['churned', 'reactivated']), day(30))?.live).toBe(true);
    expect(factsAsOf(sameTime(['reactivated', 'churned']), day(30))?.live).toBe(false);
  });

  it('has no contact and no feedback before the first ones', () => {
    expect(factsAsOf(timeline, day(1))).toMatchObject({ lastContactAt: null, csatLast: null, npsLast: null, purchases: [] });
  });

  it('returns null before the customer was acquired', () => {
    expect(factsAsOf({ ...timeline, acquiredAt: day(51) }, day(50))).toBeNull();
    expect(factsAsOf({ ...timeline, acquiredAt: day(50) }, day(50))).not.toBeNull();
  });

  it('treats an erased customer as not live at every asOf, even before the erasure', () => {
    const erased = { ...timeline, erasedAt: day(200) };
    expect(factsAsOf(erased, day(50))?.live).toBe(false);
    expect(factsAsOf(erased, day(300))?.live).toBe(false);
  });

  it('feeds segmentation: a customer acquired after asOf is absent', () => {
    const later = { ...timeline, customerId: 'c2', acquiredAt: day(80) };
    const asOf = day(50);
    const all = [timeline, later].map((t) => factsAsOf(t, asOf)).filter((f) => f !== null);
    expect(segmentCustomers(all, asOf).map((s) => s.customerId)).toEqual(['c1']);
  });
});
