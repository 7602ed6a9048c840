import { DuplicateEventIdError, type EventStore } from '../event-store.port';
import { newEvent, newEvents, newStreamId } from './contract-helpers';

export function describeIdempotencyContract(store: () => EventStore): void {
  describe('idempotency on event ids', () => {
    it('returns the original result for a retried append, even with a stale expected revision, and stores nothing twice', async () => {
      const stream = newStreamId();
      const batch = newEvents(3);
      const first = await store().append(stream, batch, 'no_stream');
      await store().append(stream, [newEvent()], 2);
      expect(await store().append(stream, batch, 'no_stream')).toEqual(first);
      expect(await store().append(stream, batch, 'any')).toEqual(first);
      expect(await store().append(stream, batch, 0)).toEqual(first);
      const stored = await store().readStream(stream);
      expect(stored.map((e) => e.eventId)).toEqual([...batch.map((e) => e.eventId), expect.any(String)]);
    });

    // Event ids are recognised within their stream, as EventStoreDB does; reusing one in another
    // stream is not something adapters must detect (the ids derive from command ids, which are unique).

    it('rejects an append that only partly repeats an earlier one', async () => {
      const stream = newStreamId();
      const batch = newEvents(2);
      await store().append(stream, batch, 'no_stream');
      const error = await store().append(stream, [batch[0], newEvent()], 'any').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DuplicateEventIdError);
      expect(error).toMatchObject({ streamId: stream, eventId: batch[0].eventId });
      expect(await store().readStream(stream)).toHaveLength(2);
    });
  });
}
