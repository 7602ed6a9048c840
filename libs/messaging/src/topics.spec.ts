import { type Admin, KafkaJSProtocolError } from 'kafkajs';
import { ensureTopics, kafkaNames, TOPICS } from './topics';

function fakeAdmin(existing: string[]) {
  const created: { topic: string; numPartitions?: number; replicationFactor?: number }[][] = [];
  const admin = {
    listTopics: async () => existing,
    createTopics: async ({ topics }: { topics: { topic: string }[] }) => {
      created.push(topics);
      existing.push(...topics.map((t) => t.topic));
      return true;
    },
  };
  return { admin: admin as unknown as Admin, created };
}

describe('topics', () => {
  it('are SPEC\'s names without a namespace and prefixed with one, consumer groups too', () => {
    expect(kafkaNames().topics).toEqual(TOPICS);
    expect(kafkaNames().group('crm-projector')).toBe('crm-projector');
    const named = kafkaNames('staging');
    expect(named.topics.customerEvents).toBe('staging.crm.customer-events.v1');
    expect(named.topics.customerEventsDeadLetters).toBe('staging.crm.customer-events.dlq.v1');
    expect(named.group('crm-projector')).toBe('staging.crm-projector');
  });

  it('names are versioned', () => {
    expect(Object.values(TOPICS)).toEqual(['crm.customer-events.v1', 'crm.customer-events.dlq.v1', 'crm.commands.v1', 'crm.command-results.v1']);
  });

  it('ensureTopics waits for the leaders when the broker does not know a topic it just created yet (KRaft), and fails on other errors', async () => {
    const unknown = () => new KafkaJSProtocolError({ type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3, message: 'This server does not host this topic-partition', retriable: false } as unknown as Error);
    let lookups = 0;
    const admin = {
      listTopics: async () => [],
      createTopics: async () => {
        throw unknown();
      },
      fetchTopicMetadata: async ({ topics }: { topics: string[] }) => {
        lookups++;
        if (lookups === 1) throw unknown();
        return { topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader: lookups === 2 ? -1 : 1 }] })) };
      },
    } as unknown as Admin;
    expect(await ensureTopics(admin, ['t'])).toEqual(['t']);
    expect(lookups).toBe(3);

    const refused = new KafkaJSProtocolError({ type: 'POLICY_VIOLATION', code: 44, message: 'no', retriable: false } as unknown as Error);
    const strict = { listTopics: async () => [], createTopics: async () => Promise.reject(refused) } as unknown as Admin;
    await expect(ensureTopics(strict, ['t'])).rejects.toBe(refused);
  });

  it('ensureTopics creates only what is missing, with 3 partitions and replication 1 by default, and is idempotent', async () => {
    const { admin, created } = fakeAdmin([TOPICS.commands]);
    expect(await ensureTopics(admin, Object.values(TOPICS))).toEqual([TOPICS.customerEvents, TOPICS.customerEventsDeadLetters, TOPICS.commandResults]);
    expect(created[0]).toEqual([
      { topic: TOPICS.customerEvents, numPartitions: 3, replicationFactor: 1 },
      { topic: TOPICS.customerEventsDeadLetters, numPartitions: 3, replicationFactor: 1 },
      { topic: TOPICS.commandResults, numPartitions: 3, replicationFactor: 1 },
    ]);
    expect(await ensureTopics(admin, Object.values(TOPICS))).toEqual([]);
    expect(created).toHaveLength(1);
  });

  it('takes other partition counts', async () => {
    const { admin, created } = fakeAdmin([]);
    await ensureTopics(admin, ['a', 'a'], { partitions: 12, replicationFactor: 3 });
    expect(created[0]).toEqual([{ topic: 'a', numPartitions: 12, replicationFactor: 3 }]);
  });
});
