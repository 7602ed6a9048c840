import { countSegments, segmentCustomers } from './segment-customers';
import { AS_OF, bought, facts } from './segmentation.fixtures';

describe('segmentCustomers', () => {
  it('leaves churned and erased (not live) customers out, and out of the population size', () => {
    const all = [
      facts('churned-whale', { live: false, purchases: [bought(1, 1_000_000)] }),
      facts('a', { purchases: [bought(5, 300)] }),
      facts('b', { purchases: [bought(6, 100)] }),
    ];
    const out = segmentCustomers(all, AS_OF);
    expect(out.map((s) => s.customerId)).toEqual(['a', 'b']);
    // n = 2 without the whale: a has the better spend -> M = 1 + floor(5 * 1 / 2) = 3, and a is vip
    expect(out[0]).toMatchObject({ rfm: { m: 3 }, tier: 'vip' });
  });

  it('ignores a purchase after asOf even if the caller passes one', () => {
    const [s] = segmentCustomers([facts('c', { purchases: [{ at: AS_OF + 1, amountMinor: 100 }] })], AS_OF);
    expect(s).toMatchObject({ rfm: null, tier: 'none', loyalty: 'potential' });
  });

  it('returns nothing for nobody', () => {
    expect(segmentCustomers([], AS_OF)).toEqual([]);
  });
});

describe('countSegments', () => {
  it('counts every name, with zeros for empty ones, and leaves customers outside the population out of rfm', () => {
    const out = segmentCustomers(
      [
        facts('frequent', { purchases: [bought(1), bought(2), bought(3)] }),
        facts('mid', { purchases: [bought(20), bought(30)] }),
        facts('lapsed', { purchases: [bought(400)], lastContactAt: null }),
        facts('prospect'),
      ],
      AS_OF,
    );
    expect(countSegments(out)).toEqual({
      tier: { vip: 1, important: 0, ordinary: 1, none: 2 },
      loyalty: { potential: 1, new: 2, returning: 1, loyal: 0 },
      rfm: {
        champions: 0,
        loyal: 0,
        'potential-loyalist': 0,
        'new-customer': 0,
        promising: 0,
        'need-attention': 1, // frequent: n = 2, worse 1 -> R = F = 1 + floor(5/2) = 3
        'about-to-sleep': 0,
        'at-risk': 0,
        'cant-lose': 0,
        hibernating: 0,
        lost: 1, // mid: R = F = 1
      },
      risk: { low: 3, medium: 0, high: 1 },
    });
  });
});
