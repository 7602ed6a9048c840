import type { EventStore, RecordedEvent } from '../event-store.port';
import { eventually, newEvent, newEvents, newStreamId, ownEvents } from './contract-helpers';

export function describeSubscriptionContract(store: () => EventStore): void {
  describe('subscribeToAll', () => {
    it('delivers catch-up then live events after a checkpoint, in order, without duplicates, until stopped', async () => {
      const stream = newStreamId();
      const before = await store().lastPosition();
      const first = await store().append(stream, [newEvent()], 'no_stream');
      await store().append(stream, newEvents(2), 0);
      const seen: RecordedEvent[] = [];
      const positions: number[] = [];
      const batchSizes: number[] = [];
      const subscription = store().subscribeToAll({ afterPosition: first.position, maxBatchSize: 2 }, async (batch) => {
        batchSizes.push(batch.length);
        positions.push(...batch.map((e) => e.position));
        seen.push(...ownEvents(batch, stream));
      });
      await eventually(() => seen.length === 2, 'catch-up events');
      await store().append(stream, [newEvent()], 2);
      await store().append(stream, newEvents(2), 3);
      await eventually(() => seen.length === 5, 'live events');
      expect(seen.map((e) => e.revision)).toEqual([1, 2, 3, 4, 5]);
      expect(positions[0]).toBeGreaterThan(before);
      for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]);
      for (const size of batchSizes) expect(size === 1 || size === 2).toBe(true);

      await subscription.stop();
      await expect(subscription.done).resolves.toBeUndefined();
      await store().append(stream, [newEvent()], 5);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(seen).toHaveLength(5);
    }, 30_000);

    it('waits for the handler before the next batch, and stop() waits for the handler in progress', async () => {
      const stream = newStreamId();
      const before = await store().lastPosition();
      await store().append(stream, newEvents(5), 'no_stream');
      let running = 0;
      let mostAtOnce = 0;
      let finished = 0;
      const subscription = store().subscribeToAll({ afterPosition: before, maxBatchSize: 1 }, async () => {
        running++;
        mostAtOnce = Math.max(mostAtOnce, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running--;
        finished++;
      });
      await eventually(() => finished >= 1 && running === 1, 'a batch in progress');
      const started = finished + running;
      await subscription.stop();
      expect(running).toBe(0);
      expect(finished).toBe(started);
      expect(mostAtOnce).toBe(1);
    }, 30_000);

    it('ends with the handler error when the handler throws', async () => {
      const stream = newStreamId();
      const before = await store().lastPosition();
      const calls: number[] = [];
      const subscription = store().subscribeToAll({ afterPosition: before }, async (batch) => {
        calls.push(batch.length);
        throw new Error('handler failed');
      });
      await store().append(stream, [newEvent()], 'no_stream');
      await expect(subscription.done).rejects.toThrow('handler failed');
      await store().append(stream, [newEvent()], 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(calls).toHaveLength(1);
      await expect(subscription.stop()).resolves.toBeUndefined();
    }, 30_000);
  });
}
