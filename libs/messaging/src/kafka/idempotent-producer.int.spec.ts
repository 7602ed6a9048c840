import { Kafka, logLevel, Partitioners, type ProducerRecord } from 'kafkajs';
import { until } from '@crm/testing';
import { DedicatedKafka } from '../testing/dedicated-kafka';
import { describeWithKafka, readTopic, testKafka, uniqueTopic } from '../testing/kafka-test-kit';
import { ensureTopics } from '../topics';
import { IdempotentProducer, sessionLostType } from './idempotent-producer';

/*
 * How a kafkajs idempotent producer goes wrong with a real broker: a send fails at the client (here a
 * request timeout while the broker hangs) although the broker, once it goes on, writes it. kafkajs
 * takes back that batch's sequence numbers, and the next batch reuses them: the broker refuses a
 * batch of another size (OUT_OF_ORDER_SEQUENCE_NUMBER), and acknowledges but drops one of the same
 * size. In the relay this happened after a broker outage longer than kafkajs's connect retries (the
 * send fails, the relay sends a larger batch from its checkpoint): it never published again.
 */
describeWithKafka('IdempotentProducer against a real broker', () => {
  jest.setTimeout(120_000);
  let broker: DedicatedKafka;
  /** For the producers under test: a short request timeout, so that a send to a hung broker fails within the test. */
  let kafka: Kafka;
  /** For setting up and reading back, with the usual retries. */
  let admin: Kafka;

  beforeAll(async () => {
    broker = await DedicatedKafka.create();
    await broker.start();
    kafka = new Kafka({ clientId: 'idempotent-int', brokers: [broker.brokers], requestTimeout: 1_000, retry: { retries: 5, initialRetryTime: 100 }, logLevel: logLevel.NOTHING });
    admin = testKafka(broker.brokers, 'idempotent-int-admin');
  }, 120_000);
  afterAll(async () => {
    await broker?.destroy();
  });

  // One retry (an idempotent kafkajs producer needs one): a send to the hung broker fails after about 2 s,
  // before the broker's own session (4 s) could lapse and move its partitions' leadership.
  const producer = () =>
    kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 1, initialRetryTime: 100 }, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });

  const values = async (topic: string) => (await readTopic(admin, topic)).map((m) => m.value!.toString());

  /** 'a' written; 'b' fails at the client while the broker hangs, and the broker writes it when it goes on; then 'c1', 'c2'. */
  async function sendAcrossLostResponse(topic: string, send: (record: ProducerRecord) => Promise<unknown>): Promise<unknown> {
    await ensureTopics(admin, [topic], { partitions: 1 });
    const record = (...messages: string[]): ProducerRecord => ({ topic, acks: -1, messages: messages.map((value) => ({ key: 'k', value })) });
    await send(record('a'));
    await broker.pause();
    try {
      await expect(send(record('b'))).rejects.toThrow();
    } finally {
      await broker.resume();
    }
    await until(async () => (await values(topic)).includes('b'), "the broker to write 'b' once resumed", 30_000, 200);
    return send(record('c1', 'c2'));
  }

  it('a plain kafkajs idempotent producer is refused, then acknowledges a message it never writes (what this class prevents)', async () => {
    const plain = producer();
    await plain.connect();
    try {
      const topic = uniqueTopic('idempotent-plain');
      const refused = await sendAcrossLostResponse(topic, (r) => plain.send(r)).catch((e: unknown) => e);
      expect(sessionLostType(refused)).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
      // One message, the sequence number of 'b' once more: the broker takes it for a retry of 'b'.
      const acknowledged = await plain.send({ topic, acks: -1, messages: [{ key: 'k', value: 'd' }] });
      expect(acknowledged[0].errorCode).toBe(0);
      expect(await values(topic)).toEqual(['a', 'b']);
    } finally {
      await plain.disconnect();
    }
  });

  it('IdempotentProducer sends through a new producer and goes on', async () => {
    const renewed: string[] = [];
    const resilient = new IdempotentProducer(producer, { onRenewed: (reason) => renewed.push(reason) });
    await resilient.connect();
    try {
      const topic = uniqueTopic('idempotent-renewed');
      await sendAcrossLostResponse(topic, (r) => resilient.send(r));
      await resilient.send({ topic, acks: -1, messages: [{ key: 'k', value: 'd' }] });
      // Replaced after the failed send of 'b', before 'c1', 'c2' could reuse its sequence numbers.
      expect(renewed).toHaveLength(1);
      expect(renewed[0]).toMatch(/^KafkaJS/);
      expect(await values(topic)).toEqual(['a', 'b', 'c1', 'c2', 'd']);
    } finally {
      await resilient.disconnect();
    }
  });
});
