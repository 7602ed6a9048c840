import { randomUUID } from 'node:crypto';
import { type IHeaders, type Kafka, logLevel } from 'kafkajs';
import { describeWithServer } from '@crm/testing';
import { createKafka } from '../kafka/kafka-client';

export interface ReadMessage {
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** `describe` with a broker (KAFKA_BROKERS), else `describe.skip` after saying once why. */
export function describeWithKafka(name: string, body: (brokers: string) => void): void {
  describeWithServer('KAFKA_BROKERS', 'kafka', name, body);
}

/** A topic name no other run uses, so a shared broker never needs wiping. */
export function uniqueTopic(purpose: string): string {
  return `test.messaging.${purpose}.${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
}

export function testKafka(brokers: string, clientId: string): Kafka {
  // Connection errors are expected while a test restarts the broker; the assertions say what matters.
  return createKafka(brokers, clientId, { level: logLevel.NOTHING });
}

/**
 * Everything the topic holds now, in offset order per partition: reads up to the high watermarks
 * taken at the start, with a consumer group of its own.
 */
export async function readTopic(kafka: Kafka, topic: string, timeoutMs = 30_000): Promise<ReadMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, number>();
  try {
    for (const p of await admin.fetchTopicOffsets(topic)) if (Number(p.high) > Number(p.low)) ends.set(p.partition, Number(p.high) - 1);
  } finally {
    await admin.disconnect();
  }
  const messages: ReadMessage[] = [];
  if (ends.size === 0) return messages;
  const consumer = kafka.consumer({ groupId: `test-reader-${randomUUID()}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  await consumer.connect();
  try {
    const remaining = new Set(ends.keys());
    let finished: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (finished = resolve));
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const offset = Number(message.offset);
        const end = ends.get(partition);
        if (end === undefined || offset > end) return;
        messages.push({ partition, offset, key: message.key, value: message.value, headers: message.headers ?? {} });
        if (offset === end && remaining.delete(partition) && remaining.size === 0) finished();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Reading ${topic}: partitions ${[...remaining].join(',')} not read to the end in ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([done, timeout]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
  // Compacted or rebalanced reads could repeat an offset; keep each once.
  const unique = new Map(messages.map((m) => [`${m.partition}:${m.offset}`, m]));
  return [...unique.values()].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}
