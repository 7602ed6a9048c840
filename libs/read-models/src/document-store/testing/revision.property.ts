import fc from 'fast-check';
import type { Document } from '../document-store.port';
import { scratch, type StoreRef } from './contract-helpers';

interface Write {
  id: string;
  revision: number;
}

// Content is a function of (id, revision), so writes with equal revisions are true replays.
const docOf = ({ id, revision }: Write): Document => ({ _id: id, revision, body: `${id}@${revision}`, list: [revision, { id }] });

const write = fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd'), revision: fc.integer({ min: 0, max: 6 }) });
const batches = fc.array(fc.array(write, { maxLength: 6 }), { minLength: 1, maxLength: 5 });

export function describeRevisionProperty(store: StoreRef): void {
  describe('revision rule (property)', () => {
    const names = scratch(store);

    it('keeps, per _id, the document with the highest revision ever written', async () => {
      await fc.assert(
        fc.asyncProperty(batches, async (sequence) => {
          const c = names.collection();
          const highest = new Map<string, number>();
          for (const batch of sequence) {
            let applied = 0;
            for (const w of batch) {
              if (w.revision > (highest.get(w.id) ?? -1)) {
                highest.set(w.id, w.revision);
                applied++;
              }
            }
            const result = await store().commit(batch.map((w) => ({ collection: c, doc: docOf(w) })));
            expect(result).toEqual({ applied, skipped: batch.length - applied });
          }
          const expected = [...highest].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, revision]) => docOf({ id, revision }));
          expect(await store().find(c, {}, { sort: { _id: 1 } })).toEqual(expected);
          await store().dropCollection(c);
        }),
        { numRuns: 40 },
      );
    }, 60_000);
  });
}
