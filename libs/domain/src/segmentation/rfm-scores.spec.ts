import { bought, facts, segmentsById } from './segmentation.fixtures';

const HOURS_5 = 5 * 3_600_000;

describe('RFM scores over the population', () => {
  // Given five customers, B and C tied on recency (both 10 whole days: C bought 10 days and 5 hours ago)
  // and tied on frequency (3 purchases each).
  const given = [
    facts('A', { purchases: [bought(1), bought(2), bought(3), bought(4), bought(5)] }), // 5 x 100 = 500
    facts('B', { purchases: [bought(10, 300), bought(20, 300), bought(40, 300)] }), // 900
    facts('C', { purchases: [bought(10, 100, HOURS_5), bought(50), bought(60)] }), // 300
    facts('D', { purchases: [bought(30), bought(70)] }), // 200
    facts('E', { purchases: [bought(200, 5000)] }), // 5000
  ];
  const s = segmentsById(given);

  it('scores recency on whole days, tied customers sharing a score', () => {
    // days A=1 B=10 C=10 D=30 E=200; worse = strictly more days; n = 5
    // A: worse 4 -> 1 + floor(20/5) = 5; B, C: worse 2 (D, E) -> 1 + floor(10/5) = 3; D: worse 1 -> 2; E: worse 0 -> 1
    expect(['A', 'B', 'C', 'D', 'E'].map((id) => s[id].rfm?.r)).toEqual([5, 3, 3, 2, 1]);
  });

  it('scores frequency on purchases in the window', () => {
    // counts 5, 3, 3, 2, 1 -> worse 4, 2, 2, 1, 0 -> 5, 3, 3, 2, 1
    expect(['A', 'B', 'C', 'D', 'E'].map((id) => s[id].rfm?.f)).toEqual([5, 3, 3, 2, 1]);
  });

  it('scores monetary on spend in the window', () => {
    // spends 500, 900, 300, 200, 5000 -> worse 2, 3, 1, 0, 4 -> 1 + floor(5w/5) = 3, 4, 2, 1, 5
    expect(['A', 'B', 'C', 'D', 'E'].map((id) => s[id].rfm?.m)).toEqual([3, 4, 2, 1, 5]);
  });

  it('derives the segment from R and F', () => {
    expect(['A', 'B', 'C', 'D', 'E'].map((id) => s[id].rfm?.segment)).toEqual([
      'champions',
      'need-attention',
      'need-attention',
      'hibernating',
      'lost',
    ]);
  });

  it('never goes above 5: with 12 distinct values the two best both get 5', () => {
    const twelve = Array.from({ length: 12 }, (_, i) => facts(`c${i}`, { purchases: [bought(i + 1, 100 * (i + 1))] }));
    const m = Object.values(segmentsById(twelve)).map((x) => x.rfm?.m);
    // worse 0..11 -> 1 + floor(5w/12)
    expect(m).toEqual([1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5]);
  });

  it('gives a population of one the lowest scores, as the formula has no one worse', () => {
    expect(segmentsById([facts('solo', { purchases: [bought(0)] })]).solo.rfm).toEqual({ r: 1, f: 1, m: 1, segment: 'lost' });
  });

  it('counts a purchase 365 days minus 1 ms old as in the window, and one exactly 365 days old as out', () => {
    const r = segmentsById([
      facts('in', { purchases: [{ at: bought(365).at + 1, amountMinor: 100 }] }),
      facts('out', { purchases: [bought(365)] }),
      facts('recent', { purchases: [bought(1)] }),
    ]);
    expect(r.out.rfm).toBeNull();
    expect(r.out.tier).toBe('none');
    // n = 2 ('in' and 'recent'): 'in' has the worse recency -> R = 1; 'recent' -> 1 + floor(5/2) = 3
    expect(r.in.rfm?.r).toBe(1);
    expect(r.recent.rfm?.r).toBe(3);
  });

  it('does not count purchases outside the window towards F and M', () => {
    const r = segmentsById([
      facts('old-heavy', { purchases: [bought(10, 100), bought(400, 99_999), bought(500, 99_999)] }),
      facts('light', { purchases: [bought(10, 200), bought(11, 200)] }),
    ]);
    expect(r['old-heavy'].rfm).toMatchObject({ f: 1, m: 1 });
    expect(r.light.rfm).toMatchObject({ f: 3, m: 3 });
  });
});
