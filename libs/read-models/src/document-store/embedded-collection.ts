import type { Document } from './document-store.port';

/**
 * One collection in memory: frozen documents by `_id`, the SQLite row of each, and the ids in
 * ascending order for paging. The port has no single-document delete, so ids only ever arrive (a
 * drop or rename replaces the whole collection): new ids wait in `arrived` and are merged into
 * `sorted` on the next ordered read, O(n + k log k), instead of re-sorting every id after every
 * insert. Replacing a document keeps its id, so it costs the sorted ids nothing.
 */
export class EmbeddedCollection {
  readonly docs = new Map<string, Document>();
  private readonly rows = new Map<string, number>();
  private sorted: string[] = [];
  private arrived: string[] = [];

  constructor(readonly key: number) {}

  get size(): number {
    return this.docs.size;
  }

  get(id: string): Document | undefined {
    return this.docs.get(id);
  }

  rowOf(id: string): number | undefined {
    return this.rows.get(id);
  }

  put(doc: Document, row: number): void {
    if (!this.docs.has(doc._id)) this.arrived.push(doc._id);
    this.docs.set(doc._id, doc);
    this.rows.set(doc._id, row);
  }

  /** Ascending in UTF-16 code unit order, the order of JavaScript's `<` and of mingo's comparisons. */
  sortedIds(): readonly string[] {
    if (this.arrived.length > 0) {
      this.sorted = merge(this.sorted, this.arrived.sort());
      this.arrived = [];
    }
    return this.sorted;
  }
}

function merge(a: string[], b: string[]): string[] {
  if (a.length === 0) return b;
  const out = new Array<string>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}

/** First index whose id is >= `id` (or > `id` when `after`). */
export function searchIds(ids: readonly string[], id: string, after: boolean): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid] < id || (after && ids[mid] === id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * For JSON values only: plain objects and arrays, no inherited enumerable properties. A frozen
 * value is taken as frozen all the way down (this function freezes children first), so parts a new
 * document shares with an earlier version are not walked again.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    if (Array.isArray(value)) for (const item of value) deepFreeze(item);
    else {
      // As JSON would: a field set to undefined is not there.
      for (const key in value) if (value[key] === undefined) delete value[key];
      for (const key in value) deepFreeze(value[key]);
    }
    Object.freeze(value);
  }
  return value;
}
