import type { RfmSegment } from './segmentation.types';

// The R x F grid of SPEC is drawn on a 1..5 scale, so the scale is fixed rather than configurable.
export const RFM_SCALE = 5;

/**
 * SPEC: `score = 1 + floor(5 * worse / n)`, capped at 5. Since worse <= n - 1 the cap never binds
 * for a consistent input; it is kept so the result stays on the grid whatever the caller passes.
 */
export function scoreFromWorse(worse: number, n: number): number {
  if (n <= 0) throw new RangeError('population size must be positive');
  return Math.min(RFM_SCALE, 1 + Math.floor((RFM_SCALE * worse) / n));
}

export function rfmSegmentOf(r: number, f: number): RfmSegment {
  if (!onScale(r) || !onScale(f)) throw new RangeError(`RFM scores must be integers 1..5, got R=${r} F=${f}`);
  if (r === 5) return f >= 4 ? 'champions' : f >= 2 ? 'potential-loyalist' : 'new-customer';
  if (r === 4) return f >= 4 ? 'loyal' : f >= 2 ? 'potential-loyalist' : 'promising';
  if (r === 3) return f >= 4 ? 'loyal' : f === 3 ? 'need-attention' : 'about-to-sleep';
  if (f === 5) return 'cant-lose';
  if (f >= 3) return 'at-risk';
  return r === 2 ? 'hibernating' : 'lost';
}

function onScale(x: number): boolean {
  return Number.isInteger(x) && x >= 1 && x <= RFM_SCALE;
}
