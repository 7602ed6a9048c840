import { ProcessingMode, Query } from 'mingo';
import type { Document, Filter, FindOptions } from './document-store.port';
import { type EmbeddedCollection, searchIds } from './embedded-collection';

type RangeOp = '$gt' | '$gte' | '$lt' | '$lte';
type IdPlan = { kind: 'scan' } | { kind: 'ids'; ids: string[] } | { kind: 'range'; bounds: Partial<Record<RangeOp, string>> };

type IdOrder = 'asc' | 'desc' | null;

const SCAN: IdPlan = { kind: 'scan' };
const RANGE_OPS: readonly string[] = ['$gt', '$gte', '$lt', '$lte'];

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v));

/**
 * Narrows the documents to visit from the filter's `_id` condition. Only a narrowing: mingo still
 * tests the whole filter on every candidate, so an unusual `_id` condition falls back to a scan.
 */
function planOf(filter: Filter): IdPlan {
  const id = filter._id;
  if (typeof id === 'string') return { kind: 'ids', ids: [id] };
  if (!isPlainObject(id)) return SCAN;
  const ops = Object.keys(id);
  if (ops.length === 0 || !ops.every((op) => op === '$eq' || op === '$in' || RANGE_OPS.includes(op))) return SCAN;
  if (typeof id.$eq === 'string') return { kind: 'ids', ids: [id.$eq] };
  if (Array.isArray(id.$in) && id.$in.every((v) => typeof v === 'string')) return { kind: 'ids', ids: id.$in as string[] };
  if ('$eq' in id || '$in' in id || !ops.every((op) => typeof id[op] === 'string')) return SCAN;
  return { kind: 'range', bounds: id as Partial<Record<RangeOp, string>> };
}

function* candidates(c: EmbeddedCollection, filter: Filter, order: IdOrder): Generator<Document> {
  const plan = planOf(filter);
  if (plan.kind === 'ids') {
    const ids = [...new Set(plan.ids)];
    if (order) ids.sort();
    if (order === 'desc') ids.reverse();
    for (const id of ids) {
      const doc = c.get(id);
      if (doc) yield doc;
    }
    return;
  }
  if (plan.kind === 'scan' && !order) {
    yield* c.docs.values();
    return;
  }
  const ids = c.sortedIds();
  let from = 0;
  let to = ids.length;
  if (plan.kind === 'range') {
    const r = plan.bounds;
    if (r.$gte !== undefined) from = Math.max(from, searchIds(ids, r.$gte, false));
    if (r.$gt !== undefined) from = Math.max(from, searchIds(ids, r.$gt, true));
    if (r.$lt !== undefined) to = Math.min(to, searchIds(ids, r.$lt, false));
    if (r.$lte !== undefined) to = Math.min(to, searchIds(ids, r.$lte, true));
  }
  if (order === 'desc') for (let i = to - 1; i >= from; i--) yield c.get(ids[i])!;
  else for (let i = from; i < to; i++) yield c.get(ids[i])!;
}

function idOrderOf(sort: Record<string, 1 | -1>): IdOrder | undefined {
  const keys = Object.keys(sort);
  if (keys.length === 0) return null;
  if (keys.length === 1 && keys[0] === '_id') return sort._id === -1 ? 'desc' : 'asc';
  return undefined;
}

const isEmpty = (o: object | undefined): boolean => o === undefined || Object.keys(o).length === 0;

export function findDocuments(c: EmbeddedCollection | undefined, filter: Filter, options: FindOptions = {}): Document[] {
  const query = new Query(filter);
  if (!c) return [];
  const skip = options.skip ?? 0;
  // MongoDB reads a limit of 0 as "no limit" and a negative one as its absolute value.
  const limit = options.limit ? Math.abs(options.limit) : Infinity;
  const order = idOrderOf(options.sort ?? {});
  let page: Document[] = [];
  if (order !== undefined) {
    // Unsorted or sorted by _id: walk the ids in order and stop as soon as the page is full.
    let skipped = 0;
    for (const doc of candidates(c, filter, order)) {
      if (!query.test(doc)) continue;
      if (skipped < skip) skipped++;
      else if (page.push(doc) >= limit) break;
    }
  } else {
    const matched: Document[] = [];
    for (const doc of candidates(c, filter, null)) if (query.test(doc)) matched.push(doc);
    let cursor = new Query({}).find<Document>(matched).sort(options.sort!);
    if (skip > 0) cursor = cursor.skip(skip);
    if (limit !== Infinity) cursor = cursor.limit(limit);
    page = cursor.all();
  }
  return options.projection && !isEmpty(options.projection) ? project(page, options.projection) : page;
}

// mingo removes excluded nested fields from the input's own sub-objects (which are frozen here),
// so exclusions and dotted paths run on copies; a plain top-level inclusion builds new objects.
function project(page: Document[], projection: Record<string, 0 | 1>): Document[] {
  const copies = Object.entries(projection).some(([field, keep]) => field.includes('.') || (!keep && field !== '_id'));
  const options = copies ? { processingMode: ProcessingMode.CLONE_INPUT } : {};
  return new Query({}, options).find<Document>(page, projection).all();
}

export function findOneDocument(c: EmbeddedCollection | undefined, filter: Filter): Document | null {
  const keys = Object.keys(filter);
  if (keys.length === 1 && typeof filter._id === 'string') return c?.get(filter._id) ?? null;
  return findDocuments(c, filter, { limit: 1 })[0] ?? null;
}

export function countDocuments(c: EmbeddedCollection | undefined, filter: Filter): number {
  if (isEmpty(filter)) return c?.size ?? 0;
  const query = new Query(filter);
  if (!c) return 0;
  let n = 0;
  for (const doc of candidates(c, filter, null)) if (query.test(doc)) n++;
  return n;
}
