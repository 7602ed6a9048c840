import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RecordedEvent, SqliteEventStore } from '@crm/event-store';
import { type Kafka, type Producer, type ProducerRecord } from 'kafkajs';
import type { IdempotentProducer } from '../kafka/idempotent-producer';
import { createIdempotentProducer, partitionOfKey } from '../kafka/kafka-client';
import { type CustomerEventValue } from '../messages/customer-event.message';
import { decodeFeedMessage } from '../messages/watermark.message';
import { ensureTopics } from '../topics';
import { eventToAppend } from '../testing/event-fixtures';
import { describeWithKafka, type ReadMessage, readTopic, testKafka, uniqueTopic } from '../testing/kafka-test-kit';
import { until } from '@crm/testing';
import { MemoryCheckpoints } from '../testing/relay-fakes';
import { Relay, type RelayOptions } from './relay';

const PARTITIONS = 3;

interface Feed {
  events: (CustomerEventValue & { partition: number; offset: number; headers: ReadMessage['headers'] })[];
  watermarks: { partition: number; offset: number; position: number }[];
}

function decodeAll(messages: ReadMessage[]): Feed {
  const feed: Feed = { events: [], watermarks: [] };
  for (const m of messages) {
    const decoded = decodeFeedMessage(m);
    if (decoded.kind === 'event') feed.events.push({ ...decoded.event, partition: m.partition, offset: m.offset, headers: m.headers });
    else feed.watermarks.push({ partition: m.partition, offset: m.offset, position: decoded.position });
  }
  return feed;
}

describeWithKafka('Relay against a real Kafka broker', (brokers) => {
  jest.setTimeout(60_000);
  let kafka: Kafka;
  let producer: IdempotentProducer;
  let dir: string;
  let store: SqliteEventStore;
  let topic: string;
  let checkpoints: MemoryCheckpoints;
  const relays: Relay[] = [];

  beforeAll(async () => {
    kafka = testKafka(brokers, 'relay-int');
    producer = createIdempotentProducer(kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
  });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relay-int-'));
    store = new SqliteEventStore(join(dir, 'events.db'), { pollIntervalMs: 20 });
    topic = uniqueTopic('relay');
    await ensureTopics(kafka, [topic], { partitions: PARTITIONS });
    checkpoints = new MemoryCheckpoints();
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function relay(options: Partial<RelayOptions> = {}, via: Pick<Producer, 'send'> = producer): Relay {
    const created = new Relay(store, via, kafka, { topic, checkpointName: 'relay', checkpoints, batchSize: 7, backoff: { initialMs: 20, maxMs: 200 }, ...options });
    relays.push(created);
    return created;
  }

  /** Appends `perCustomer` events to each of `customers` new customers, interleaved across streams. */
  async function appendInterleaved(customers: string[], perCustomer: number): Promise<void> {
    for (let round = 0; round < perCustomer; round++) {
      for (const id of customers) await store.append(`customer-${id}`, [eventToAppend(id)], 'any');
    }
  }

  async function publishedUpTo(target: Relay, position: number): Promise<void> {
    await until(() => (target.status().checkpoint ?? 0) >= position, `relay checkpoint ${position}`, 45_000);
  }

  it('publishes every event, in order per customer, one partition per customer, with correct key and headers', async () => {
    const customers = Array.from({ length: 6 }, () => randomUUID());
    await appendInterleaved(customers, 5);
    const r = relay();
    await r.start();
    await publishedUpTo(r, await store.lastPosition());
    await r.stop();

    const stored = await store.readAll();
    const { events } = decodeAll(await readTopic(kafka, topic));
    expect(events.map((e) => e.eventId).sort()).toEqual(stored.map((e) => e.eventId).sort());

    // The read side finds a customer's partition with partitionOfKey (read-your-writes of one customer).
    for (const id of customers) {
      const ofCustomer = events.filter((e) => e.customerId === id).sort((a, b) => a.offset - b.offset);
      expect(new Set(ofCustomer.map((e) => e.partition))).toEqual(new Set([partitionOfKey(id, PARTITIONS)]));
      expect(ofCustomer.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
    }
    const byId = new Map<string, RecordedEvent>(stored.map((e) => [e.eventId, e]));
    for (const e of events) {
      const s = byId.get(e.eventId)!;
      expect({ streamId: e.streamId, type: e.type, revision: e.revision, position: e.position, data: e.data, metadata: e.metadata }).toEqual({
        streamId: s.streamId, type: s.type, revision: s.revision, position: s.position, data: s.data, metadata: s.metadata,
      });
      expect(Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k, String(v)]))).toEqual({
        'message-kind': 'event',
        'content-type': 'application/json',
        'event-id': s.eventId,
        'event-type': s.type,
        'stream-revision': String(s.revision),
        'global-position': String(s.position),
        'correlation-id': s.metadata.correlationId,
        'causation-id': s.metadata.causationId,
        'schema-version': '1',
      });
    }
    expect(r.status()).toMatchObject({ state: 'stopped', published: 30, lastError: null });
  });

  it('saves the checkpoint only after the broker acknowledged; retries failed sends and then publishes everything once', async () => {
    await appendInterleaved([randomUUID(), randomUUID()], 6);
    const last = await store.lastPosition();
    let failuresLeft = 4;
    const checkpointsAtFailure: (number | undefined)[] = [];
    const flaky = {
      send: async (record: ProducerRecord) => {
        if (failuresLeft > 0) {
          failuresLeft--;
          checkpointsAtFailure.push(checkpoints.values.get('relay'));
          throw new Error('injected: broker unreachable');
        }
        return producer.send(record);
      },
    };
    const r = relay({}, flaky);
    await r.start();
    await until(() => failuresLeft === 0, 'the injected failures');
    expect(checkpoints.writes).toEqual([]);
    expect(checkpointsAtFailure).toEqual([undefined, undefined, undefined, undefined]);
    expect(r.status().lastError).toMatch(/injected: broker unreachable/);
    await publishedUpTo(r, last);
    await r.stop();

    const { events } = decodeAll(await readTopic(kafka, topic));
    expect(events.map((e) => e.position)).toHaveLength(12);
    expect(new Set(events.map((e) => e.position))).toEqual(new Set((await store.readAll()).map((e) => e.position)));
  });

  it('when an acknowledgement is lost, keeps the checkpoint and publishes the batch again: duplicates, never a gap', async () => {
    await appendInterleaved([randomUUID()], 10);
    let lose = 1;
    const lossy = {
      send: async (record: ProducerRecord) => {
        const result = await producer.send(record);
        if (lose > 0 && record.messages[0].key !== null) {
          lose--;
          throw new Error('injected: response lost after the write');
        }
        return result;
      },
    };
    const r = relay({}, lossy);
    await r.start();
    await publishedUpTo(r, await store.lastPosition());
    await r.stop();
    expect(checkpoints.writes[0]).toBe((await store.readAll())[6].position);

    const { events } = decodeAll(await readTopic(kafka, topic));
    expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a new relay resumes from the saved checkpoint: nothing skipped, nothing before it published again', async () => {
    const customers = [randomUUID(), randomUUID(), randomUUID()];
    await appendInterleaved(customers, 4);
    const first = relay();
    await first.start();
    await publishedUpTo(first, await store.lastPosition());
    await first.stop();
    const saved = checkpoints.values.get('relay')!;

    await appendInterleaved(customers, 3);
    const second = relay();
    await second.start();
    await publishedUpTo(second, await store.lastPosition());
    await second.stop();

    const { events } = decodeAll(await readTopic(kafka, topic));
    const stored = await store.readAll();
    expect(events.map((e) => e.eventId).sort()).toEqual(stored.map((e) => e.eventId).sort());
    expect(second.status().published).toBe(stored.filter((e) => e.position > saved).length);
    for (const id of customers) {
      expect(events.filter((e) => e.customerId === id).sort((a, b) => a.offset - b.offset).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    }
  });

  it('writes watermarks to every partition that never go backwards, and each follows every event of its partition up to its position', async () => {
    const r = relay({ heartbeatMs: 300 });
    await r.start();
    for (let wave = 0; wave < 3; wave++) {
      await appendInterleaved([randomUUID(), randomUUID(), randomUUID(), randomUUID()], 3);
      await publishedUpTo(r, await store.lastPosition());
    }
    const last = await store.lastPosition();
    const before = (await readTopic(kafka, topic)).length;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await r.stop();

    const messages = await readTopic(kafka, topic);
    expect(messages.length).toBeGreaterThan(before);
    const { events, watermarks } = decodeAll(messages);
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const marks = watermarks.filter((w) => w.partition === partition);
      const positions = marks.map((w) => w.position);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(positions[positions.length - 1]).toBe(last);
      for (const mark of marks) {
        const late = events.filter((e) => e.partition === partition && e.position <= mark.position && e.offset > mark.offset);
        expect(late).toEqual([]);
      }
    }
  });
});

