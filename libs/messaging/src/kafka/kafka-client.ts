import { Kafka, type LogEntry, logLevel, Partitioners } from 'kafkajs';
import { IdempotentProducer, type IdempotentProducerOptions } from './idempotent-producer';

export interface KafkaClientOptions {
  level?: logLevel;
  /** Where log lines go; stderr by default. */
  write?: (line: string) => void;
}

// Only these fields of a kafkajs log entry are printed: anything else could carry a payload.
const PRINTED_FIELDS = ['broker', 'clientId', 'groupId', 'topic', 'partition', 'retryCount', 'retryTime', 'error'] as const;
const MAX_FIELD_LENGTH = 300;

export function createKafka(brokers: string | readonly string[], clientId: string, options: KafkaClientOptions = {}): Kafka {
  const list = typeof brokers === 'string' ? brokers.split(',').map((b) => b.trim()).filter(Boolean) : [...brokers];
  if (list.length === 0) throw new Error('createKafka needs at least one broker');
  const write = options.write ?? ((line: string) => void process.stderr.write(`${line}\n`));
  return new Kafka({
    clientId,
    brokers: list,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    // Reconnect quickly once a broker is back (a restart takes seconds), but give up on a dead cluster
    // after about half a minute so callers see the error. The idempotent producer retries forever (below).
    retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: 10 },
    logLevel: options.level ?? logLevel.WARN,
    logCreator: () => (entry) => write(formatLogEntry(entry)),
  });
}

export function formatLogEntry({ namespace, label, log }: LogEntry): string {
  const fields = PRINTED_FIELDS.filter((f) => log[f] !== undefined).map((f) => `${f}=${clip(String(log[f]))}`);
  const source = namespace ? `kafkajs ${namespace}` : 'kafkajs';
  return [`[${source}] ${label} ${clip(log.message)}`, ...fields].join(' ');
}

function clip(text: string): string {
  return text.length > MAX_FIELD_LENGTH ? `${text.slice(0, MAX_FIELD_LENGTH)}...` : text;
}

/**
 * Not connected yet: call connect(). With `idempotent` and one request in flight, the producer's own
 * retries neither duplicate nor reorder messages, and kafkajs then retries without limit (a broker
 * outage delays a send instead of failing it). Every send must use acks -1. After a send that fails
 * all the same, the next ones go through a new producer id (IdempotentProducer says why).
 */
export function createIdempotentProducer(kafka: Kafka, options: IdempotentProducerOptions = {}): IdempotentProducer {
  return new IdempotentProducer(
    () =>
      kafka.producer({
        idempotent: true,
        // Unlimited retries (kafkajs warns that fewer may break the idempotence guarantees); the wait
        // between them stays bounded, so a send resumes within seconds of the broker coming back.
        retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: Number.MAX_SAFE_INTEGER },
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        // Explicitly the murmur2 partitioner of the Java client, so any Java/Go/librdkafka(murmur2)
        // producer puts the same key on the same partition; kafkajs 2 also warns when this is implicit.
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
    options,
  );
}

const murmur2 = Partitioners.DefaultPartitioner();

/** The partition the producers above put `key` on, in a topic of `count` partitions (murmur2, as the Java client). */
export function partitionOfKey(key: string, count: number): number {
  const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0] }));
  return murmur2({ topic: '', partitionMetadata, message: { key } } as Parameters<typeof murmur2>[0]);
}
