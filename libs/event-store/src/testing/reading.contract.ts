import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend } from '../event-store.port';
import { newEvent, newEvents, newStreamId, ownEvents } from './contract-helpers';

export function describeReadingContract(store: () => EventStore): void {
  describe('reading', () => {
    it('reads a stream from a revision, inclusive, up to maxCount', async () => {
      const stream = newStreamId();
      await store().append(stream, newEvents(5), 'no_stream');
      expect((await store().readStream(stream, { fromRevision: 2 })).map((e) => e.revision)).toEqual([2, 3, 4]);
      expect((await store().readStream(stream, { fromRevision: 1, maxCount: 2 })).map((e) => e.revision)).toEqual([1, 2]);
      expect((await store().readStream(stream, { maxCount: 1 })).map((e) => e.revision)).toEqual([0]);
      expect(await store().readStream(stream, { fromRevision: 5 })).toEqual([]);
    });

    it('reads a missing stream as empty', async () => {
      expect(await store().readStream(newStreamId())).toEqual([]);
    });

    it('round-trips data and metadata', async () => {
      const stream = newStreamId();
      const data = {
        name: '王小明 Zoë 😀 \u0000 "quoted" \\ \n',
        nested: { list: [1, 'two', { three: [true, false, null] }], empty: {} },
        amountMinor: 123456789,
        ratio: -0.125,
        big: Number.MAX_SAFE_INTEGER,
      };
      const metadata = { actor: { id: 'u-1', role: 'service' }, occurredAt: '2024-02-29T23:59:59.999Z', schemaVersion: 2 };
      const event: EventToAppend = { eventId: randomUUID(), type: 'CustomerAcquired', data, metadata };
      const { position } = await store().append(stream, [event], 'no_stream');
      const expected = { eventId: event.eventId, streamId: stream, type: 'CustomerAcquired', revision: 0, position, data, metadata };
      expect(await store().readStream(stream)).toEqual([expected]);
      expect(ownEvents(await store().readAll({ fromPosition: position, maxCount: 1 }), stream)).toEqual([expected]);
    });

    it('reads the global log in position order, fromPosition inclusive, up to maxCount', async () => {
      const [a, b] = [newStreamId(), newStreamId()];
      const before = await store().lastPosition();
      const written = [
        await store().append(a, [newEvent()], 'no_stream'),
        await store().append(b, newEvents(2), 'no_stream'),
        await store().append(a, [newEvent()], 0),
      ];
      const all = ownEvents(await store().readAll({ fromPosition: before + 1 }), a, b);
      expect(all.map((e) => [e.streamId, e.revision])).toEqual([
        [a, 0],
        [b, 0],
        [b, 1],
        [a, 1],
      ]);
      expect(all[3].position).toBe(written[2].position);
      for (let i = 1; i < all.length; i++) expect(all[i].position).toBeGreaterThan(all[i - 1].position);

      const page = await store().readAll({ fromPosition: all[1].position, maxCount: 2 });
      expect(page).toHaveLength(2);
      expect(page[0]).toEqual(all[1]);
      expect(page[1].position).toBeGreaterThan(page[0].position);
      expect(page[1].position).toBeLessThanOrEqual(all[2].position);
    });

    it('gives strictly increasing positions across streams and grows lastPosition', async () => {
      const streams = [newStreamId(), newStreamId(), newStreamId()];
      let last = await store().lastPosition();
      for (const stream of [...streams, ...streams]) {
        const { position } = await store().append(stream, [newEvent()], 'any');
        expect(position).toBeGreaterThan(last);
        expect(await store().lastPosition()).toBeGreaterThanOrEqual(position);
        last = position;
      }
    });
  });
}
