import type { EventStore } from '../event-store.port';
import { newEvent, newStreamId } from './contract-helpers';

/**
 * `anotherClient` opens a second client on the same log (another process would do the same); the
 * ids it reports must agree, however the two race for the first call.
 */
export function describeIdentityContract(store: () => EventStore, anotherClient: (store: EventStore) => Promise<EventStore>): void {
  describe('log id', () => {
    it('is a non-empty string, the same on every call, concurrent or not, and after appends', async () => {
      const ids = await Promise.all([store().logId(), store().logId(), store().logId()]);
      expect(ids[0]).toEqual(expect.stringMatching(/\S/));
      expect(new Set(ids).size).toBe(1);
      await store().append(newStreamId(), [newEvent()], 'no_stream');
      expect(await store().logId()).toBe(ids[0]);
    });

    it('is the same for another client of the same log, asked at the same time', async () => {
      const other = await anotherClient(store());
      try {
        const [mine, theirs] = await Promise.all([store().logId(), other.logId()]);
        expect(theirs).toBe(mine);
      } finally {
        await other.close();
      }
    });

    it('stays out of the global log', async () => {
      const stream = newStreamId();
      const { position } = await store().append(stream, [newEvent()], 'no_stream');
      const other = await anotherClient(store());
      try {
        await other.logId();
      } finally {
        await other.close();
      }
      const all = await store().readAll({ fromPosition: position });
      expect(all[0]).toMatchObject({ streamId: stream, position });
      expect(all.filter((e) => !e.streamId.startsWith('customer-'))).toEqual([]);
    });
  });
}
