import { countSegments, segmentCustomers } from './segment-customers';
import { AS_OF, bought, facts } from './segmentation.fixtures';
import { DEFAULT_SEGMENTATION_THRESHOLDS } from './segmentation.thresholds';

function tiersFor(spends: readonly number[]) {
  const all = spends.map((amount, i) => facts(`c${i}`, { purchases: [bought(5, amount)] }));
  return segmentCustomers(all, AS_OF).map((s) => s.tier);
}

describe('value tiers by spend rank (better = strictly greater spend; vip < 10% n, important < 30% n)', () => {
  it('n = 10, distinct spends: one vip, two important, seven ordinary', () => {
    // better 0 < 1 vip; better 1, 2 < 3 important (exact: 0.1 + 0.2 in floats would make the cut 3.0000000000000004)
    expect(tiersFor([1000, 900, 800, 700, 600, 500, 400, 300, 200, 100])).toEqual([
      'vip',
      'important',
      'important',
      ...Array(7).fill('ordinary'),
    ]);
  });

  it('n = 10, a tie at the vip cut: both tied customers are vip', () => {
    expect(tiersFor([1000, 1000, 900, 800, 700, 600, 500, 400, 300, 200]).slice(0, 4)).toEqual([
      'vip',
      'vip',
      'important',
      'ordinary',
    ]);
  });

  it('n = 10, a tie at the important cut: both are important, so the tier holds four', () => {
    // 800 and 800 have better = 2 < 3
    const tiers = tiersFor([1000, 900, 800, 800, 700, 600, 500, 400, 300, 200]);
    expect(tiers.slice(0, 5)).toEqual(['vip', 'important', 'important', 'important', 'ordinary']);
  });

  it('n = 3: the top customer is vip (0 < 0.3), the others ordinary (1 is not < 0.9)', () => {
    expect(tiersFor([300, 200, 100])).toEqual(['vip', 'ordinary', 'ordinary']);
  });

  it('everyone tied: everyone is vip', () => {
    expect(tiersFor([500, 500, 500, 500])).toEqual(['vip', 'vip', 'vip', 'vip']);
  });

  it('no purchase in the window: none, and not part of n', () => {
    const all = [
      facts('never'),
      facts('long-ago', { purchases: [bought(400, 1_000_000)] }),
      facts('top', { purchases: [bought(5, 300)] }),
      facts('low', { purchases: [bought(5, 100)] }),
    ];
    const tiers = segmentCustomers(all, AS_OF).map((s) => s.tier);
    expect(tiers).toEqual(['none', 'none', 'vip', 'ordinary']);
  });

  it('follows configured shares', () => {
    const all = [400, 300, 200, 100].map((amount, i) => facts(`c${i}`, { purchases: [bought(5, amount)] }));
    const t = { ...DEFAULT_SEGMENTATION_THRESHOLDS, vipShare: 0.5, importantShare: 0.25 };
    expect(countSegments(segmentCustomers(all, AS_OF, t)).tier).toEqual({ vip: 2, important: 1, ordinary: 1, none: 0 });
  });
});
