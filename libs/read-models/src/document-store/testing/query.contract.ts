import type { Document, Filter, FindOptions } from '../document-store.port';
import { doc, ids, put, scratch, type StoreRef } from './contract-helpers';

const PEOPLE: Document[] = [
  doc('a', 1, { stage: 'acquired', n: 1, tags: ['x', 'y'], address: { city: 'Oslo', zip: '0150' }, items: [{ sku: 'p1', qty: 1 }, { sku: 'p2', qty: 5 }], optional: 'here' }),
  doc('b', 1, { stage: 'converted', n: 5, tags: ['y'], address: { city: 'Bergen', zip: '5003' }, items: [{ sku: 'p1', qty: 3 }], optional: null }),
  doc('c', 2, { stage: 'converted', n: 10, tags: [], address: { city: 'Oslo', zip: '0151' }, items: [] }),
  doc('d', 1, { stage: 'retained', n: -2, tags: ['z'], address: { city: 'Tromsø', zip: '9008' }, items: [{ sku: 'p3', qty: 2 }], optional: 'x' }),
  doc('e', 4, { stage: 'churned', n: 7.5, tags: ['x'], address: null, items: [{ sku: 'p2', qty: 1 }] }),
];

const FILTERS: [string, Filter, string[]][] = [
  ['equality', { stage: 'converted' }, ['b', 'c']],
  ['$eq', { stage: { $eq: 'converted' } }, ['b', 'c']],
  ['$ne', { stage: { $ne: 'converted' } }, ['a', 'd', 'e']],
  ['$gt', { n: { $gt: 5 } }, ['c', 'e']],
  ['$gte', { n: { $gte: 5 } }, ['b', 'c', 'e']],
  ['$lt', { n: { $lt: 1 } }, ['d']],
  ['$lte', { n: { $lte: 1 } }, ['a', 'd']],
  ['$gt and $lt on one field', { n: { $gt: 1, $lt: 10 } }, ['b', 'e']],
  ['$in', { stage: { $in: ['acquired', 'retained'] } }, ['a', 'd']],
  ['$nin', { stage: { $nin: ['acquired', 'retained'] } }, ['b', 'c', 'e']],
  ['$exists: true (null exists)', { optional: { $exists: true } }, ['a', 'b', 'd']],
  ['$exists: false', { optional: { $exists: false } }, ['c', 'e']],
  ['null matches null and missing', { optional: null }, ['b', 'c', 'e']],
  ['$ne: null', { optional: { $ne: null } }, ['a', 'd']],
  ['$and', { $and: [{ n: { $gt: 0 } }, { stage: 'converted' }] }, ['b', 'c']],
  ['$or', { $or: [{ n: { $lt: 0 } }, { stage: 'acquired' }] }, ['a', 'd']],
  ['$elemMatch', { items: { $elemMatch: { sku: 'p1', qty: { $gte: 2 } } } }, ['b']],
  ['dotted path', { 'address.city': 'Oslo' }, ['a', 'c']],
  ['dotted path with a range', { 'address.zip': { $gte: '0150', $lt: '1000' } }, ['a', 'c']],
  ['dotted path into an array', { 'items.sku': 'p2' }, ['a', 'e']],
  ['array contains', { tags: 'y' }, ['a', 'b']],
  ['_id', { _id: 'c' }, ['c']],
  ['_id $in', { _id: { $in: ['a', 'c', 'zz'] } }, ['a', 'c']],
  ['_id range', { _id: { $gt: 'b', $lte: 'd' } }, ['c', 'd']],
  ['_id range with another field', { _id: { $gte: 'b' }, stage: 'converted' }, ['b', 'c']],
  ['no match', { stage: 'unknown' }, []],
];

const SORTS: [string, FindOptions, string[]][] = [
  ['a field ascending', { sort: { n: 1 } }, ['d', 'a', 'b', 'e', 'c']],
  ['a field descending', { sort: { n: -1 } }, ['c', 'e', 'b', 'a', 'd']],
  ['_id ascending', { sort: { _id: 1 } }, ['a', 'b', 'c', 'd', 'e']],
  ['_id descending', { sort: { _id: -1 } }, ['e', 'd', 'c', 'b', 'a']],
  ['two keys', { sort: { stage: 1, n: -1 } }, ['a', 'e', 'c', 'b', 'd']],
  ['a dotted path (missing first)', { sort: { 'address.city': 1, _id: 1 } }, ['e', 'b', 'a', 'c', 'd']],
  ['skip and limit', { sort: { n: 1 }, skip: 1, limit: 2 }, ['a', 'b']],
  ['skip and limit by _id descending', { sort: { _id: -1 }, skip: 2, limit: 2 }, ['c', 'b']],
  ['limit 0 means no limit', { sort: { _id: 1 }, limit: 0 }, ['a', 'b', 'c', 'd', 'e']],
  ['skip past the end', { sort: { _id: 1 }, skip: 10 }, []],
];

export function describeQueryContract(store: StoreRef): void {
  describe('queries', () => {
    const names = scratch(store);
    let c: string;
    beforeEach(async () => {
      c = names.collection();
      await put(store(), c, PEOPLE);
    });

    it.each(FILTERS)('find with %s', async (_, filter, expected) => {
      expect(ids(await store().find(c, filter, { sort: { _id: 1 } }))).toEqual(expected);
      expect(await store().count(c, filter)).toBe(expected.length);
    });

    it.each(SORTS)('find sorted by %s', async (_, options, expected) => {
      expect(ids(await store().find(c, {}, options))).toEqual(expected);
    });

    it('limits a filtered find sorted by _id', async () => {
      expect(ids(await store().find(c, { stage: { $ne: 'acquired' } }, { sort: { _id: 1 }, limit: 2 }))).toEqual(['b', 'c']);
    });

    it('finds one document by _id or by filter, or null', async () => {
      expect(await store().findOne(c, { _id: 'd' })).toEqual(PEOPLE[3]);
      expect(await store().findOne(c, { 'address.zip': '5003' })).toEqual(PEOPLE[1]);
      expect(await store().findOne(c, { _id: 'nobody' })).toBeNull();
      expect(await store().findOne(c, { stage: 'unknown' })).toBeNull();
      expect(await store().findOne(names.collection(), { _id: 'a' })).toBeNull();
    });

    it('finds documents by a list of ids, leaving out missing ones', async () => {
      const byIds = store().findByIds!.bind(store());
      const found = await byIds(c, ['e', 'a', 'nobody', 'c']);
      expect(ids(found).sort()).toEqual(['a', 'c', 'e']);
      expect(found.find((d) => d._id === 'c')).toEqual(PEOPLE[2]);
      expect(await byIds(c, [])).toEqual([]);
      expect(await byIds(names.collection(), ['a'])).toEqual([]);
    });

    it('answers concurrent look-ups by id each with its own documents', async () => {
      const byIds = store().findByIds!.bind(store());
      const [first, second, missing] = await Promise.all([byIds(c, ['a', 'b', 'a']), byIds(c, ['b', 'e']), byIds(c, ['nobody'])]);
      expect(ids(first).sort()).toEqual(['a', 'b']);
      expect(ids(second).sort()).toEqual(['b', 'e']);
      expect(missing).toEqual([]);
      expect(first.find((d) => d._id === 'b')).toEqual(PEOPLE[1]);
      expect(second.find((d) => d._id === 'b')).toEqual(PEOPLE[1]);
    });

    it('counts all documents, or none in a collection that does not exist', async () => {
      expect(await store().count(c, {})).toBe(5);
      expect(await store().count(names.collection(), { stage: 'converted' })).toBe(0);
      expect(await store().find(names.collection(), {})).toEqual([]);
    });

    it('projects inclusively, with _id unless excluded', async () => {
      expect(await store().find(c, { _id: { $in: ['a', 'b'] } }, { sort: { _id: 1 }, projection: { stage: 1, 'address.city': 1 } })).toEqual([
        { _id: 'a', stage: 'acquired', address: { city: 'Oslo' } },
        { _id: 'b', stage: 'converted', address: { city: 'Bergen' } },
      ]);
      expect(await store().find(c, { _id: 'c' }, { projection: { _id: 0, n: 1 } })).toEqual([{ n: 10 }]);
    });

    it('projects exclusively', async () => {
      const [found] = await store().find(c, { _id: 'a' }, { projection: { items: 0, tags: 0, 'address.zip': 0 } });
      expect(found).toEqual({ _id: 'a', revision: 1, stage: 'acquired', n: 1, address: { city: 'Oslo' }, optional: 'here' });
      expect(await store().findOne(c, { _id: 'a' })).toEqual(PEOPLE[0]);
    });

    it('sorts on a field the projection leaves out', async () => {
      expect(await store().find(c, { stage: 'converted' }, { sort: { n: -1 }, projection: { _id: 1 } })).toEqual([{ _id: 'c' }, { _id: 'b' }]);
    });

    it('still answers the same after an index is ensured', async () => {
      await store().ensureIndex(c, { stage: 1, n: -1 });
      expect(ids(await store().find(c, { stage: 'converted' }, { sort: { n: -1 } }))).toEqual(['c', 'b']);
      expect(await store().count(c, { stage: 'converted' })).toBe(2);
    });
  });
}
