import type { Admin, Kafka } from 'kafkajs';
import { brokerErrorType } from './kafka/kafka-errors';

// The version is part of the name: an incompatible change of a message contract gets a new topic,
// and consumers of the old one keep working until they move.
export const TOPICS = {
  customerEvents: 'crm.customer-events.v1',
  customerEventsDeadLetters: 'crm.customer-events.dlq.v1',
  commands: 'crm.commands.v1',
  commandResults: 'crm.command-results.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export type Topics = { readonly [K in keyof typeof TOPICS]: string };

/**
 * The topic and consumer-group names of one deployment. Without a namespace they are exactly
 * SPEC's; with one (several deployments, or test runs, sharing a cluster) each name gets the
 * prefix `<namespace>.`, so deployments never read each other's events or offsets.
 */
export function kafkaNames(namespace?: string): { topics: Topics; group: (name: string) => string } {
  const prefix = namespace ? `${namespace}.` : '';
  const topics = Object.fromEntries(Object.entries(TOPICS).map(([key, topic]) => [key, prefix + topic])) as unknown as Topics;
  return { topics, group: (name) => prefix + name };
}

export interface EnsureTopicsOptions {
  partitions?: number;
  replicationFactor?: number;
}

/**
 * Creates the topics that do not exist yet and returns their names. An existing topic is left as
 * it is, even with another partition count: changing it would move keys between partitions.
 * Accepts a connected Admin (left connected) or a Kafka client (an admin is opened and closed here).
 */
export async function ensureTopics(
  client: Admin | Pick<Kafka, 'admin'>,
  names: readonly string[],
  { partitions = 3, replicationFactor = 1 }: EnsureTopicsOptions = {},
): Promise<string[]> {
  if ('createTopics' in client) return createMissing(client, names, partitions, replicationFactor);
  const admin = client.admin();
  await admin.connect();
  try {
    return await createMissing(admin, names, partitions, replicationFactor);
  } finally {
    await admin.disconnect();
  }
}

async function createMissing(admin: Admin, names: readonly string[], numPartitions: number, replicationFactor: number): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = [...new Set(names)].filter((name) => !existing.has(name));
  if (missing.length === 0) return [];
  // Another process may create the same topics meanwhile: kafkajs treats "already exists" as success.
  try {
    await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions, replicationFactor })) });
  } catch (error) {
    // kafkajs waits for the new topics' leaders through LEADER_NOT_AVAILABLE only; a KRaft broker may
    // not know a topic it has just created for a moment more (UNKNOWN_TOPIC_OR_PARTITION).
    if (!brokerErrorType(error, NOT_KNOWN_YET)) throw error;
    await waitForLeaders(admin, missing);
  }
  return missing;
}

const NOT_KNOWN_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);
const LEADERS_TIMEOUT_MS = 30_000;

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = LEADERS_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      const led = metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (led && metadata.topics.length === topics.length) return;
    } catch (error) {
      if (!brokerErrorType(error, NOT_KNOWN_YET)) throw error;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for the leaders of ${topics.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
