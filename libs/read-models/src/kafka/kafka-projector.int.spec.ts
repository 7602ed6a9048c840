import { randomUUID } from 'node:crypto';
import type { RecordedEvent } from '@crm/event-store';
import {
  createIdempotentProducer,
  type IdempotentProducer,
  type DeadLetterValue,
  decodeDeadLetterMessage,
  ensureTopics,
  HEADER,
  toCustomerEventMessage,
  toWatermarkMessage,
} from '@crm/messaging';
import type { Admin, Kafka, Message } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { describeWithMongo, until } from '@crm/testing';
import { describeWithKafka, readTopic, testKafka, uniqueTopic } from '../../../messaging/src/testing/kafka-test-kit';
import type { DocumentStore } from '../document-store/document-store.port';
import { MongoDocumentStore } from '../document-store/mongo-document-store';
import type { ProfileDocument } from '../projections/profile.projection';
import { READ_MODEL_PROJECTIONS } from '../projections/read-model-projections';
import { type ParkedCustomer, parkedCollectionOf } from '../projector/projection-worker';
import { PartitionWatermark, partitionCheckpointName } from '../queries/partition-watermark';
import { KafkaProjector } from './kafka-projector';

const DEADLINE_MS = 30_000;

function stored(customerId: string, type: string, revision: number, position: number, data: Record<string, unknown> = {}): RecordedEvent {
  const eventId = randomUUID();
  const at = new Date(Date.UTC(2026, 0, 1) + position * 60_000).toISOString();
  return {
    eventId,
    streamId: `customer-${customerId}`,
    type,
    revision,
    position,
    data: { customerId, ...data },
    metadata: {
      eventId,
      commandId: randomUUID(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: { id: 'svc-orders', role: 'service' },
      occurredAt: at,
      recordedAt: at,
      schemaVersion: 1,
    },
  } as RecordedEvent;
}

// Personal fields would be ciphertext in a real feed; the projector never reads them.
const acquired = (customerId: string, position: number) =>
  stored(customerId, 'CustomerAcquired', 0, position, { name: 'enc:v1:bmFtZQ==', email: 'enc:v1:bWFpbA==', channel: 'web', type: 'consumer', tags: ['trial'] });
const purchased = (customerId: string, revision: number, position: number, amountMinor: number) =>
  stored(customerId, 'PurchaseRecorded', revision, position, { orderId: `o-${revision}`, amountMinor, currency: 'CNY' });

const asMessage = (event: RecordedEvent): Message => toCustomerEventMessage(event);

describeWithMongo('KafkaProjector', (mongoUrl) => {
  describeWithKafka('KafkaProjector against a real Kafka broker and MongoDB server', (brokers) => {
    jest.setTimeout(90_000);
    let kafka: Kafka;
    let admin: Admin;
    let producer: IdempotentProducer;
    let mongo: MongoClient;

    // Per test: fresh topics, group and database, so nothing is shared with other runs.
    let topic: string;
    let deadLetterTopic: string;
    let groupId: string;
    let dbName: string;
    let store: MongoDocumentStore;
    const projectors: KafkaProjector[] = [];

    beforeAll(async () => {
      kafka = testKafka(brokers, 'kafka-projector-int');
      mongo = new MongoClient(mongoUrl, { retryWrites: false });
      await mongo.connect();
    });
    afterAll(async () => {
      await mongo?.close();
    });

    // Clients are per test: kafkajs keeps refreshing the metadata of every topic a client has used,
    // and fails once one of them is deleted.
    async function setUp(partitions: number): Promise<void> {
      admin = kafka.admin();
      await admin.connect();
      producer = createIdempotentProducer(kafka);
      await producer.connect();
      topic = uniqueTopic('projector');
      deadLetterTopic = `${topic}.dlq`;
      groupId = `test-projector-${randomUUID()}`;
      await ensureTopics(admin, [topic, deadLetterTopic], { partitions });
      dbName = `crm_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      store = MongoDocumentStore.fromClient(mongo, dbName);
    }

    afterEach(async () => {
      await Promise.all(projectors.splice(0).map((p) => p.stop()));
      await producer.disconnect();
      await mongo.db(dbName).dropDatabase();
      await admin.deleteTopics({ topics: [topic, deadLetterTopic] }).catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    });

    function projector(documents: DocumentStore = store): KafkaProjector {
      const created = new KafkaProjector(
        kafka,
        documents,
        READ_MODEL_PROJECTIONS.map((projection) => ({ projection, collection: projection.collection })),
        producer,
        { topic, deadLetterTopic, groupId, now: () => new Date('2026-05-01T00:00:00.000Z') },
      );
      projectors.push(created);
      return created;
    }

    async function publish(...messages: Message[]): Promise<void> {
      await producer.send({ topic, acks: -1, messages });
    }

    const profile = (customerId: string) => store.findOne<ProfileDocument>('profiles', { _id: customerId });

    async function highWatermarks(name: string): Promise<Map<number, string>> {
      return new Map((await admin.fetchTopicOffsets(name)).map((p) => [p.partition, p.high]));
    }

    async function committed(): Promise<Map<number, string>> {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return new Map(offsets.partitions.map((p) => [p.partition, p.offset]));
    }

    /** Waits until the group has committed every partition up to the end of what is in the topic now. */
    async function untilAllCommitted(): Promise<Map<number, string>> {
      const ends = await highWatermarks(topic);
      return until(async () => {
        const now = await committed();
        // A partition that never held a message has nothing to commit ('-1').
        return [...ends].every(([p, high]) => now.get(p) === high || (high === '0' && now.get(p) === '-1')) ? now : undefined;
      }, `offsets of ${groupId} to reach ${JSON.stringify([...ends])}`, DEADLINE_MS, 50);
    }

    /** Everything on the dead-letter topic, decoded (offsets are committed after it is written). */
    async function deadLetters(): Promise<DeadLetterValue[]> {
      // One batch sends its unreadable messages before its refused events: compare in the source's order.
      return (await readTopic(kafka, deadLetterTopic)).map((m) => decodeDeadLetterMessage(m)).sort((x, y) => Number(x.offset) - Number(y.offset));
    }

    it('projects events into the read models, each document carrying the revision and position of its last event', async () => {
      await setUp(1);
      const a = randomUUID();
      await publish(asMessage(acquired(a, 3)), asMessage(purchased(a, 1, 7, 12_900)), asMessage(purchased(a, 2, 11, 5_000)));
      const running = projector();
      await running.start();

      const doc = await until(async () => {
        const p = await profile(a);
        return p?.revision === 2 ? p : undefined;
      }, 'profile at revision 2', DEADLINE_MS, 50);
      expect(doc).toMatchObject({ _id: a, customerId: a, revision: 2, position: 11, stage: 'retained', purchaseCount: 2, totalSpendMinor: 17_900 });
      await untilAllCommitted();
      // Every projection wrote its collection; all of them carry the revision of the last event that changed them.
      // Every read model is written; one that the purchases did not change keeps the acquisition's revision.
      const written: Record<string, [number, unknown] | null> = {};
      for (const { collection } of READ_MODEL_PROJECTIONS) {
        const found = await store.findOne(collection, { _id: a });
        written[collection] = found && [found.revision, found.position];
      }
      expect(written).toEqual({ profiles: [2, 11], customer_timelines: [2, 11], funnel_members: [2, 11], follow_ups: [0, 3] });
      expect(await store.readCheckpoint(partitionCheckpointName(topic, 0))).toBe(11);
      expect(running.status()).toMatchObject({ state: 'running', partitions: { 0: 11 }, deadLettered: 0, lastError: null });
    });

    it('folds later events onto the documents it wrote, and onto what a rebuild switched in once resumed', async () => {
      await setUp(1);
      const a = randomUUID();
      await publish(asMessage(acquired(a, 3)), asMessage(purchased(a, 1, 7, 12_900)));
      const running = projector();
      await running.start();
      await until(async () => (await profile(a))?.revision === 1, 'profile at revision 1', DEADLINE_MS, 50);
      await untilAllCommitted();

      // A rebuild switch: the live projector is held while other documents take the place of its own
      // (same revision, other content, as a changed projection would build them).
      await running.pause();
      const switched = { ...(await profile(a))!, totalSpendMinor: 50_000 };
      await mongo.db(dbName).collection('profiles').replaceOne({ _id: a as never }, switched);
      running.resume();

      await publish(asMessage(purchased(a, 2, 11, 100)));
      const doc = await until(async () => {
        const p = await profile(a);
        return p?.revision === 2 ? p : undefined;
      }, 'profile at revision 2', DEADLINE_MS, 50);
      expect(doc).toMatchObject({ purchaseCount: 2, totalSpendMinor: 50_100 });
    });

    it('treats a duplicate or a stale message as a no-op: revision unchanged, nothing counted twice, nothing dead-lettered', async () => {
      await setUp(1);
      const a = randomUUID();
      const sentinel = randomUUID();
      const first = acquired(a, 1);
      const second = purchased(a, 1, 2, 10_000);
      const third = purchased(a, 2, 3, 2_500);
      const running = projector();
      await running.start();
      await publish(asMessage(first), asMessage(second), asMessage(third));
      await until(async () => (await profile(a))?.revision === 2, 'profile at revision 2', DEADLINE_MS, 50);

      // Redelivered exactly (at-least-once), then an older revision after a newer one, then a later message.
      await publish(asMessage(second), asMessage(first), asMessage(third), asMessage(second));
      await publish(asMessage(acquired(sentinel, 4)));
      await until(async () => (await profile(sentinel)) !== null, 'the sentinel customer', DEADLINE_MS, 50);
      await untilAllCommitted();

      expect(await profile(a)).toMatchObject({ revision: 2, position: 3, purchaseCount: 2, totalSpendMinor: 12_500, stage: 'retained' });
      expect(running.status().deadLettered).toBe(0);
      expect(await store.count(parkedCollectionOf(partitionCheckpointName(topic, 0)), {})).toBe(0);
      expect((await highWatermarks(deadLetterTopic)).get(0)).toBe('0');
      // A replayed older position does not move the partition's checkpoint back.
      expect(await store.readCheckpoint(partitionCheckpointName(topic, 0))).toBe(4);
    });

    it('commits a batch offset only after its documents and checkpoint are written', async () => {
      await setUp(1);
      const a = randomUUID();
      await publish(asMessage(acquired(a, 5)), asMessage(purchased(a, 1, 6, 700)));
      // The store holds the first write until the test has looked at the committed offsets.
      let writeStarted = false;
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (open = resolve));
      const gated = new Proxy(store, {
        get(target, property) {
          if (property === 'commit') {
            return async (...args: Parameters<DocumentStore['commit']>) => {
              writeStarted = true;
              await gate;
              return target.commit(...args);
            };
          }
          const value = Reflect.get(target, property, target) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const running = projector(gated);
      await running.start();

      await until(() => writeStarted, 'the projector to start writing', DEADLINE_MS, 50);
      // Kept short: a held batch sends no heartbeats, and the session times out.
      expect((await committed()).get(0)).toBe('-1');
      expect(await profile(a)).toBeNull();
      open();

      expect((await untilAllCommitted()).get(0)).toBe('2');
      expect(await profile(a)).toMatchObject({ revision: 1, position: 6, purchaseCount: 1 });
      expect(await store.readCheckpoint(partitionCheckpointName(topic, 0))).toBe(6);
    });

    it('resumes after the committed offsets when restarted in the same group: nothing replayed, new messages flow', async () => {
      await setUp(1);
      const a = randomUUID();
      const poisoned = randomUUID();
      await publish(asMessage(acquired(a, 1)), asMessage(purchased(a, 1, 2, 1_000)), asMessage(stored(poisoned, 'CustomerTeleported', 0, 3)));
      const first = projector();
      await first.start();
      await until(async () => (await profile(a))?.revision === 1, 'profile at revision 1', DEADLINE_MS, 50);
      expect((await untilAllCommitted()).get(0)).toBe('3');
      expect(first.status().deadLettered).toBe(1);
      await first.stop();
      expect(first.status().state).toBe('stopped');
      // Committed offsets are exactly the end of what was written.
      expect((await committed()).get(0)).toBe((await highWatermarks(topic)).get(0));

      await publish(asMessage(purchased(a, 2, 4, 2_000)));
      const second = projector();
      await second.start();
      expect((await untilAllCommitted()).get(0)).toBe('4');
      expect(await profile(a)).toMatchObject({ revision: 2, position: 4, purchaseCount: 2, totalSpendMinor: 3_000 });
      // A replay from the start would dead-letter the poisoned customer's event again ("customer parked").
      expect(second.status().deadLettered).toBe(0);
      expect((await highWatermarks(deadLetterTopic)).get(0)).toBe('1');
      expect(await store.readCheckpoint(partitionCheckpointName(topic, 0))).toBe(4);
    });

    it('parks a customer with a revision gap and dead-letters its events, while another customer in the same partition flows on', async () => {
      await setUp(1);
      const gap = randomUUID();
      const healthy = randomUUID();
      const skipped = purchased(gap, 2, 3, 900);
      const later = purchased(gap, 3, 5, 900);
      await publish(
        asMessage(acquired(gap, 1)),
        asMessage(acquired(healthy, 2)),
        asMessage(skipped),
        asMessage(purchased(healthy, 1, 4, 100)),
        asMessage(later),
        asMessage(purchased(healthy, 2, 6, 200)),
      );
      const running = projector();
      await running.start();
      await untilAllCommitted();

      expect(await profile(healthy)).toMatchObject({ revision: 2, position: 6, purchaseCount: 2, totalSpendMinor: 300 });
      expect(await profile(gap)).toMatchObject({ revision: 0, position: 1, purchaseCount: 0 });
      const parked = await store.find<ParkedCustomer>(parkedCollectionOf(partitionCheckpointName(topic, 0)), {});
      expect(parked).toEqual([
        expect.objectContaining({ _id: gap, revision: 2, position: 3, reason: `RevisionGapError: Customer ${gap}: expected revision 1, got 2`, parkedAt: '2026-05-01T00:00:00.000Z' }),
      ]);
      expect(running.status().deadLettered).toBe(2);

      const letters = await deadLetters();
      expect(letters).toHaveLength(2);
      expect(letters[0]).toMatchObject({
        reason: `RevisionGapError: Customer ${gap}: expected revision 1, got 2`,
        topic,
        partition: 0,
        offset: '2',
        key: gap,
        parkedCustomerId: gap,
        failedAt: '2026-05-01T00:00:00.000Z',
      });
      // The original message travels with the reason, so it can be replayed once repaired.
      expect(JSON.parse(letters[0].value!)).toMatchObject({ eventId: skipped.eventId, revision: 2 });
      expect(letters[1]).toMatchObject({ reason: `customer parked: RevisionGapError: Customer ${gap}: expected revision 1, got 2`, offset: '4', parkedCustomerId: gap });
      expect(JSON.parse(letters[1].value!)).toMatchObject({ eventId: later.eventId });
      // The partition checkpoint still covers every position seen (parked events included).
      expect(await store.readCheckpoint(partitionCheckpointName(topic, 0))).toBe(6);
    });

    it('dead-letters poison messages (unknown event type, unreadable value) with the reason, and keeps projecting the others', async () => {
      await setUp(1);
      const unknownType = randomUUID();
      const unreadable = randomUUID();
      const healthy = randomUUID();
      await publish(
        asMessage(acquired(healthy, 1)),
        asMessage(stored(unknownType, 'CustomerTeleported', 0, 2, { to: 'mars' })),
        asMessage(acquired(unreadable, 3)),
        // Claims to be an event but its value is not JSON.
        { key: unreadable, value: 'not json {', headers: { [HEADER.messageKind]: 'event', [HEADER.contentType]: 'application/json' } },
        asMessage(purchased(healthy, 1, 5, 400)),
        // The customer's next event: the unreadable one was its revision 1.
        asMessage(purchased(unreadable, 2, 6, 900)),
        asMessage(stored(unknownType, 'PurchaseRecorded', 1, 7, { orderId: 'o-1', amountMinor: 1, currency: 'CNY' })),
        asMessage(purchased(healthy, 2, 8, 600)),
      );
      const running = projector();
      await running.start();
      await untilAllCommitted();

      expect(await profile(healthy)).toMatchObject({ revision: 2, position: 8, purchaseCount: 2, totalSpendMinor: 1_000 });
      expect(await profile(unknownType)).toBeNull();
      expect(await profile(unreadable)).toMatchObject({ revision: 0, purchaseCount: 0 });

      const letters = await deadLetters();
      expect(letters.map((l) => [l.offset, l.parkedCustomerId, l.reason])).toEqual([
        ['1', unknownType, expect.stringMatching(/^UnknownEventTypeError: .*CustomerTeleported/)],
        ['3', unreadable, 'value is not valid JSON'],
        ['5', unreadable, `RevisionGapError: Customer ${unreadable}: expected revision 1, got 2`],
        ['6', unknownType, expect.stringMatching(/^customer parked: UnknownEventTypeError: .*CustomerTeleported/)],
      ]);
      expect(letters[1]).toMatchObject({ key: unreadable, value: 'not json {', headers: { [HEADER.messageKind]: 'event' } });
      expect(running.status().deadLettered).toBe(4);

      const parked = await store.find<ParkedCustomer>(parkedCollectionOf(partitionCheckpointName(topic, 0)), {}, { sort: { position: 1 } });
      expect(parked.map((p) => [p._id, p.position])).toEqual([
        [unknownType, 2],
        // An unreadable message parks nobody by itself (it may be a corrupt duplicate); the gap it leaves does.
        [unreadable, 6],
      ]);
    });

    it('advances the partition checkpoint on watermarks, never backwards, and the read position is the lowest partition', async () => {
      await setUp(2);
      const running = projector();
      await running.start();
      await producer.send({ topic, acks: -1, messages: [toWatermarkMessage(0, 500), toWatermarkMessage(1, 700)] });
      await until(
        async () =>
          (await store.readCheckpoint(partitionCheckpointName(topic, 0))) === 500 && (await store.readCheckpoint(partitionCheckpointName(topic, 1))) === 700,
        'partition checkpoints 500 and 700',
        DEADLINE_MS,
        50,
      );
      const readPosition = new PartitionWatermark(store, topic, async () => 2);
      expect(await readPosition.current()).toBe(500);

      // An event below the watermark, then a lower watermark: both leave partition 0 at 500.
      const a = randomUUID();
      await producer.send({ topic, acks: -1, messages: [{ ...asMessage(acquired(a, 300)), partition: 0 }, toWatermarkMessage(0, 400)] });
      await untilAllCommitted();
      expect(await profile(a)).toMatchObject({ revision: 0, position: 300 });
      expect(await store.readCheckpoint(partitionCheckpointName(topic, 0))).toBe(500);

      await producer.send({ topic, acks: -1, messages: [toWatermarkMessage(0, 900)] });
      await until(async () => (await store.readCheckpoint(partitionCheckpointName(topic, 0))) === 900, 'partition 0 at 900', DEADLINE_MS, 50);
      expect(await readPosition.current()).toBe(700);
      expect(running.status().partitions).toEqual({ 0: 900, 1: 700 });
      expect(await readPosition.waitFor(700, 1_000)).toBe(true);
      expect(await readPosition.waitFor(701, 200)).toBe(false);
    });
  });
});
