import { rfmSegmentOf, scoreFromWorse } from './rfm';
import { RFM_SEGMENTS, type RfmSegment } from './segmentation.types';

// The grid transcribed from SPEC, one predicate per segment.
const SPEC_GRID: Record<RfmSegment, (r: number, f: number) => boolean> = {
  champions: (r, f) => r === 5 && f >= 4,
  loyal: (r, f) => r >= 3 && r <= 4 && f >= 4,
  'potential-loyalist': (r, f) => r >= 4 && f >= 2 && f <= 3,
  'new-customer': (r, f) => r === 5 && f === 1,
  promising: (r, f) => r === 4 && f === 1,
  'need-attention': (r, f) => r === 3 && f === 3,
  'about-to-sleep': (r, f) => r === 3 && f <= 2,
  'at-risk': (r, f) => r <= 2 && f >= 3 && f <= 4,
  'cant-lose': (r, f) => r <= 2 && f === 5,
  hibernating: (r, f) => r === 2 && f <= 2,
  lost: (r, f) => r === 1 && f <= 2,
};

const CELLS = [1, 2, 3, 4, 5].flatMap((r) => [1, 2, 3, 4, 5].map((f) => [r, f] as const));

describe('rfmSegmentOf', () => {
  it.each(CELLS)('R=%i F=%i falls in exactly one SPEC segment, and that is the one returned', (r, f) => {
    const matching = RFM_SEGMENTS.filter((s) => SPEC_GRID[s](r, f));
    expect(matching).toHaveLength(1);
    expect(rfmSegmentOf(r, f)).toBe(matching[0]);
  });

  it('uses every segment somewhere on the grid', () => {
    expect(new Set(CELLS.map(([r, f]) => rfmSegmentOf(r, f)))).toEqual(new Set(RFM_SEGMENTS));
  });

  it.each([
    [0, 3],
    [6, 3],
    [3, 0],
    [3, 2.5],
    [Number.NaN, 1],
  ])('rejects R=%p F=%p, which is off the grid', (r, f) => {
    expect(() => rfmSegmentOf(r, f)).toThrow(RangeError);
  });
});

describe('scoreFromWorse', () => {
  it('is 1 + floor(5 * worse / n)', () => {
    // n = 12: worse 2 -> 1 + floor(10/12) = 1; worse 3 -> 1 + floor(15/12) = 2; worse 10 -> 1 + floor(50/12) = 5.
    expect([0, 2, 3, 5, 8, 10, 11].map((w) => scoreFromWorse(w, 12))).toEqual([1, 1, 2, 3, 4, 5, 5]);
  });

  it('caps at 5 even when worse reaches n (1 + floor(5n/n) would be 6)', () => {
    expect(scoreFromWorse(7, 7)).toBe(5);
  });

  it('refuses an empty population', () => {
    expect(() => scoreFromWorse(0, 0)).toThrow(RangeError);
  });
});
