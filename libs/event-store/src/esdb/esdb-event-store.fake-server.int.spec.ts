import { until } from '@crm/testing';
import type { RecordedEvent } from '../event-store.port';
import { describeEventStoreContract, newEvent, newEvents, newStreamId } from '../testing/event-store.contract';
import { EsdbEventStore, LOG_IDENTITY_STREAM } from './esdb-event-store';
import { FakeKurrentDb } from './testing/fake-kurrentdb';

// The installed client against an in-process fake node: checks the adapter's use of the client
// (messages, error types, positions, subscription stream) without a server. Server semantics come
// from the fake, which models them from the KurrentDB sources; only a real server can confirm them.
describe.each([
  ['BatchAppend, as current servers', true],
  ['plain Append, as servers without BatchAppend', false],
])('EsdbEventStore on a fake KurrentDB node (%s)', (_, batchAppend) => {
  let fake: FakeKurrentDb;
  beforeAll(async () => {
    fake = await FakeKurrentDb.start({ batchAppend });
  });
  afterAll(async () => fake.stop());

  describeEventStoreContract('EsdbEventStore', async () => new EsdbEventStore(fake.connectionString));

  describe('beyond the contract', () => {
    let store: EsdbEventStore;
    beforeEach(() => {
      store = new EsdbEventStore(fake.connectionString, { resubscribeInitialDelayMs: 20 });
    });
    afterEach(async () => store.close());

    it('leaves system and other streams out of readAll, lastPosition and subscriptions', async () => {
      const stream = newStreamId();
      const before = await store.lastPosition();
      const { position } = await store.append(stream, [newEvent()], 'no_stream');
      fake.writeSystemEvent();
      const orders = new EsdbEventStore(fake.connectionString, { streamPrefix: 'order-' });
      await orders.append(`order-${stream}`, [newEvent()], 'no_stream');
      await orders.close();
      expect(await store.lastPosition()).toBe(position);
      const all = await store.readAll({ fromPosition: before + 1 });
      expect(all.map((e) => e.streamId)).toEqual([stream]);
      const seen: RecordedEvent[] = [];
      const subscription = store.subscribeToAll({ afterPosition: before }, async (batch) => void seen.push(...batch));
      await until(() => seen.length === 1, 'the customer event');
      await new Promise((resolve) => setTimeout(resolve, 50));
      await subscription.stop();
      expect(seen.map((e) => e.streamId)).toEqual([stream]);
    });

    it('resubscribes after the server drops the subscription and delivers every event once', async () => {
      const stream = newStreamId();
      const before = await store.lastPosition();
      await store.append(stream, newEvents(2), 'no_stream');
      const seen: RecordedEvent[] = [];
      const subscription = store.subscribeToAll({ afterPosition: before, maxBatchSize: 10 }, async (batch) => {
        seen.push(...batch.filter((e) => e.streamId === stream));
      });
      await until(() => seen.length === 2, 'events before the drop');
      expect(fake.dropSubscriptions()).toBe(1);
      await store.append(stream, [newEvent()], 1);
      await store.append(stream, newEvents(2), 2);
      await until(() => seen.length === 5, 'events after the drop');
      expect(seen.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
      await subscription.stop();
      await expect(subscription.done).resolves.toBeUndefined();
    });

    it('reports conflicts and recognises retries when the connection string sets throwOnAppendFailure=false', async () => {
      const lenient = new EsdbEventStore(`${fake.connectionString}&throwOnAppendFailure=false`);
      try {
        const stream = newStreamId();
        const batch = newEvents(2);
        const first = await lenient.append(stream, batch, 'no_stream');
        await lenient.append(stream, [newEvent()], 1);
        await expect(lenient.append(stream, [newEvent()], 0)).rejects.toMatchObject({ name: 'WrongExpectedRevisionError', expected: 0, actual: 2 });
        expect(await lenient.append(stream, batch, 0)).toEqual(first);
      } finally {
        await lenient.close();
      }
    });

    it('has one log id per node: two clients racing on a new node write it once and agree; another node has another', async () => {
      const fresh = await FakeKurrentDb.start({ batchAppend });
      const other = await FakeKurrentDb.start({ batchAppend });
      const clients = [fresh, fresh, other].map((node) => new EsdbEventStore(node.connectionString));
      try {
        const [a, b, c] = await Promise.all(clients.map((client) => client.logId()));
        expect(b).toBe(a);
        expect(c).not.toBe(a);
        expect(await clients[0].readStream(LOG_IDENTITY_STREAM)).toHaveLength(1);
        expect(await clients[0].lastPosition()).toBe(0);
        expect(await clients[0].readAll()).toEqual([]);
      } finally {
        await Promise.all(clients.map((client) => client.close()));
        await Promise.all([fresh.stop(), other.stop()]);
      }
    });

    it('refuses a stream prefix that would take in the identity stream', () => {
      expect(() => new EsdbEventStore(fake.connectionString, { streamPrefix: 'crm-' })).toThrow(/crm-event-log-identity/);
    });

    it('refuses a readAll position that is neither an event position nor one past one', async () => {
      const { position } = await store.append(newStreamId(), [newEvent()], 'no_stream');
      await expect(store.readAll({ fromPosition: position + 7 })).rejects.toThrow(/Cannot read \$all from position/);
    });

    it('ends a subscription whose start position the server refuses, instead of retrying forever', async () => {
      const { position } = await store.append(newStreamId(), [newEvent()], 'no_stream');
      const subscription = store.subscribeToAll({ afterPosition: position + 7 }, async () => undefined);
      await expect(subscription.done).rejects.toMatchObject({ code: 3 });
    });
  });
});

