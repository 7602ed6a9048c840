import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { IdempotentProducer } from './idempotent-producer';
import { until } from '@crm/testing';
import { decodeCommandResultMessage, toCommandResultMessage } from '../messages/command-result.message';
import { decodeCommandMessage, toCommandMessage } from '../messages/command.message';
import { decodeCustomerEventMessage, toCustomerEventMessage } from '../messages/customer-event.message';
import { decodeDeadLetterMessage, toDeadLetterMessage } from '../messages/dead-letter.message';
import { decodeWatermarkMessage, toWatermarkMessage } from '../messages/watermark.message';
import { recordedEvent } from '../testing/event-fixtures';
import { DedicatedKafka } from '../testing/dedicated-kafka';
import { describeWithKafka, readTopic, testKafka, uniqueTopic } from '../testing/kafka-test-kit';
import { ensureTopics } from '../topics';
import { createIdempotentProducer } from './kafka-client';

describeWithKafka('Kafka messaging against a real broker', (brokers) => {
  jest.setTimeout(60_000);
  let kafka: Kafka;
  let producer: IdempotentProducer;

  beforeAll(async () => {
    kafka = testKafka(brokers, 'messaging-int');
    producer = createIdempotentProducer(kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
  });

  it('ensureTopics creates topics with the asked partition count, once', async () => {
    const names = [uniqueTopic('ensure-a'), uniqueTopic('ensure-b')];
    expect(await ensureTopics(kafka, names, { partitions: 4 })).toEqual(names);
    expect(await ensureTopics(kafka, names, { partitions: 4 })).toEqual([]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      expect(topics.map((t) => t.partitions.length)).toEqual([4, 4]);
    } finally {
      await admin.disconnect();
    }
  });

  it('every contract survives the trip through the broker and is decoded by its own decoder', async () => {
    const topic = uniqueTopic('contracts');
    await ensureTopics(kafka, [topic]);
    const event = toCustomerEventMessage(recordedEvent());
    const commandId = randomUUID();
    const customerId = randomUUID();
    const command = toCommandMessage({ commandId, type: 'ChurnCustomer', customerId, data: { reason: 'moved' }, actor: { id: 'crm-ui', role: 'service' } });
    const result = toCommandResultMessage({ commandId, status: 'accepted', customerId, revision: 3, position: 77 });
    const deadLetter = toDeadLetterMessage({ reason: 'unknown event type', topic: 'crm.customer-events.v1', partition: 0, message: { ...event, offset: '5' }, parkedCustomerId: event.key, failedAt: new Date().toISOString() });
    await producer.send({ topic, acks: -1, messages: [event, toWatermarkMessage(2, 9), command, result, deadLetter] });

    const read = await readTopic(kafka, topic);
    const kind = (name: string) => read.filter((m) => m.headers['message-kind']?.toString() === name);
    expect(read).toHaveLength(5);
    expect(decodeCustomerEventMessage(kind('event')[0])).toEqual(JSON.parse(event.value));
    expect(kind('watermark')[0].partition).toBe(2);
    expect(decodeWatermarkMessage(kind('watermark')[0])).toEqual({ kind: 'watermark', position: 9 });
    expect(decodeCommandMessage(kind('command')[0])).toMatchObject({ ok: true, command: { commandId, customerId, type: 'ChurnCustomer' } });
    expect(decodeCommandResultMessage(kind('command-result')[0])).toMatchObject({ commandId, status: 'accepted', position: 77 });
    expect(decodeDeadLetterMessage(kind('dead-letter')[0])).toMatchObject({ reason: 'unknown event type', offset: '5', value: event.value, parkedCustomerId: event.key });
  });

  it('an idempotent producer sending through a broker stop and start loses nothing, keeps per-key order, duplicates nothing by itself', async () => {
    // A broker of this test's own: stopping the shared one would fail whatever else runs on it meanwhile.
    const broker = await DedicatedKafka.create();
    const own = testKafka(broker.brokers, 'messaging-restart');
    const ownProducer = createIdempotentProducer(own);
    try {
      await broker.start();
      await ownProducer.connect();
      await sendThroughRestart(broker, own, ownProducer);
    } finally {
      await ownProducer.disconnect().catch(() => undefined);
      await broker.destroy();
    }
  }, 180_000);

  async function sendThroughRestart(broker: DedicatedKafka, kafka: Kafka, producer: IdempotentProducer): Promise<void> {
    const topic = uniqueTopic('restart');
    await ensureTopics(kafka, [topic]);
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4'];
    let sent = 0;
    const sendErrors: string[] = [];
    let sending = true;
    const sender = (async () => {
      while (sending || sent < 50) {
        const message = { key: keys[sent % keys.length], value: String(sent) };
        try {
          await producer.send({ topic, acks: -1, messages: [message] });
          sent++;
        } catch (error) {
          // The application's resend of the same message; the assertions below bound what it may duplicate.
          sendErrors.push(`${(error as Error).name}: ${(error as Error).message}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    })();
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      await broker.stop();
      const sentWhileDown = sent;
      await new Promise((r) => setTimeout(r, 1_000));
      expect(sent).toBe(sentWhileDown);
      await broker.start();
      const afterRestart = sent;
      await until(() => sent >= afterRestart + 50, '50 sends after the restart', 45_000, 50);
    } finally {
      sending = false;
      await broker.start();
      await sender;
    }

    const values = (await readTopic(kafka, topic)).map((m) => ({ key: m.key!.toString(), n: Number(m.value!.toString()) }));
    const distinct = new Set(values.map((v) => v.n));
    expect(distinct.size).toBe(sent);
    expect(Math.max(...distinct)).toBe(sent - 1);
    for (const key of keys) {
      const ofKey = values.filter((v) => v.key === key).map((v) => v.n);
      expect(ofKey).toEqual([...ofKey].sort((a, b) => a - b));
    }
    const duplicates = values.length - distinct.size;
    console.log(`broker restart: ${sent} messages acknowledged, ${duplicates} duplicates, ${sendErrors.length} failed sends ${JSON.stringify(sendErrors)}`);
    // The producer's own retries never duplicate (idempotence); only a resend by the application could.
    expect(duplicates).toBeLessThanOrEqual(sendErrors.length);
  }
});

