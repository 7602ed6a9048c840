// Ranking by binary search over a sorted copy keeps a whole population at O(n log n).

export function sortedAscending(values: readonly number[]): Float64Array {
  // A typed array sorts numerically without a comparator callback, which matters at 100k+ values.
  return Float64Array.from(values).sort();
}

/** Number of values strictly less than `v`. */
export function countLess(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of values strictly greater than `v`. */
export function countGreater(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}
