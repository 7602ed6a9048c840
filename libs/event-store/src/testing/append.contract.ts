import type { EventStore, ExpectedRevision } from '../event-store.port';
import { expectWrongRevision, newEvent, newEvents, newStreamId } from './contract-helpers';

export function describeAppendContract(store: () => EventStore): void {
  describe('append and expected revision', () => {
    it('creates a stream with no_stream, starting at revision 0', async () => {
      const stream = newStreamId();
      const before = await store().lastPosition();
      const result = await store().append(stream, [newEvent()], 'no_stream');
      expect(result.revision).toBe(0);
      expect(result.position).toBeGreaterThan(before);
      expect((await store().readStream(stream)).map((e) => e.revision)).toEqual([0]);
    });

    it('appends with the exact current revision', async () => {
      const stream = newStreamId();
      await store().append(stream, [newEvent()], 'no_stream');
      const result = await store().append(stream, [newEvent()], 0);
      expect(result.revision).toBe(1);
      expect(await store().append(stream, [newEvent()], 1)).toMatchObject({ revision: 2 });
    });

    it.each<[string, ExpectedRevision, number]>([
      ['a number on a missing stream', 0, -1],
      ['stream_exists on a missing stream', 'stream_exists', -1],
    ])('rejects %s with the actual revision -1 and stores nothing', async (_, expected, actual) => {
      const stream = newStreamId();
      await expectWrongRevision(store().append(stream, [newEvent()], expected), expected, actual);
      expect(await store().readStream(stream)).toEqual([]);
    });

    it.each<[string, ExpectedRevision]>([
      ['a stale number', 0],
      ['a number ahead of the stream', 5],
      ['no_stream on an existing stream', 'no_stream'],
    ])('rejects %s with the actual revision and stores nothing', async (_, expected) => {
      const stream = newStreamId();
      await store().append(stream, newEvents(2), 'no_stream');
      await expectWrongRevision(store().append(stream, [newEvent()], expected), expected, 1);
      expect(await store().readStream(stream)).toHaveLength(2);
    });

    it('accepts stream_exists on an existing stream', async () => {
      const stream = newStreamId();
      await store().append(stream, [newEvent()], 'no_stream');
      expect(await store().append(stream, [newEvent()], 'stream_exists')).toMatchObject({ revision: 1 });
    });

    it('accepts any on a missing and on an existing stream', async () => {
      const stream = newStreamId();
      expect(await store().append(stream, [newEvent()], 'any')).toMatchObject({ revision: 0 });
      expect(await store().append(stream, [newEvent()], 'any')).toMatchObject({ revision: 1 });
    });

    it('gives a multi-event append contiguous revisions and increasing positions', async () => {
      const stream = newStreamId();
      await store().append(stream, [newEvent()], 'no_stream');
      const result = await store().append(stream, newEvents(3), 0);
      const stored = await store().readStream(stream);
      expect(stored.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
      expect(result).toEqual({ revision: 3, position: stored[3].position });
      for (let i = 1; i < stored.length; i++) expect(stored[i].position).toBeGreaterThan(stored[i - 1].position);
    });

    it('treats an empty append as a no-op that reports the current revision and position', async () => {
      const stream = newStreamId();
      expect(await store().append(stream, [], 'no_stream')).toEqual({ revision: -1, position: 0 });
      expect(await store().readStream(stream)).toEqual([]);
      const written = await store().append(stream, newEvents(2), 'no_stream');
      expect(await store().append(stream, [], 1)).toEqual(written);
      await expectWrongRevision(store().append(stream, [], 0), 0, 1);
      expect(await store().readStream(stream)).toHaveLength(2);
    });

    it('lets exactly one of 50 concurrent appends with the same expected revision win', async () => {
      const stream = newStreamId();
      await store().append(stream, [newEvent()], 'no_stream');
      const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => store().append(stream, [newEvent()], 0)));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason] : []));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(49);
      for (const error of lost) expect(error).toMatchObject({ name: 'WrongExpectedRevisionError', expected: 0, actual: 1 });
      expect((await store().readStream(stream)).map((e) => e.revision)).toEqual([0, 1]);
    });
  });
}
