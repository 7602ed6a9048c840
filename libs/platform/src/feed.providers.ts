import { Logger, type Provider } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { componentsOf, type CrmConfig, type ProcessRole } from '@crm/config';
import { EVENT_STORE, type EventStore } from '@crm/event-store';
import { createIdempotentProducer, createKafka, type IdempotentProducer, kafkaNames, type MessageSender, Relay, type Topics } from '@crm/messaging';
import {
  type DocumentStore,
  DOCUMENT_STORE,
  KafkaProjector,
  KafkaReadSide,
  PartitionWatermark,
  READ_MODEL_PROJECTIONS,
  READ_POSITION,
  READ_SIDE,
  ReadSide,
} from '@crm/read-models';
import { CLOCK, type Clock } from './clock';
import type { WorkerReadSide } from './read-side-thread';
import { KAFKA, KAFKA_PRODUCER, KAFKA_PROJECTOR, KAFKA_TOPICS, READ_SIDE_THREAD, RELAY } from './tokens';

const PROJECTOR_GROUP = 'crm-projector';
const RELAY_CHECKPOINT = 'relay';

/** Partition count of the customer-events topic, asked once. */
function partitionCount(kafka: Kafka, topic: string): () => Promise<number> {
  let known: Promise<number> | null = null;
  return () =>
    (known ??= (async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        return topics[0]?.partitions.length ?? 0;
      } finally {
        await admin.disconnect();
      }
    })().catch((error: unknown) => {
      known = null;
      throw error;
    }));
}

/**
 * How events reach the read models. Without Kafka, the projector tails the event log in this
 * process. With Kafka, the relay publishes the log and a consumer group projects it; this process
 * runs whichever of them its roles name, and reads positions and status from the shared store.
 */
export function feedProviders(config: CrmConfig, roles: readonly ProcessRole[]): Provider[] {
  const now = (clock: Clock) => () => clock.now();
  if (componentsOf(config).feed === 'in-process') {
    return [
      {
        provide: READ_SIDE,
        useFactory: (events: EventStore, docs: DocumentStore, clock: Clock, thread: WorkerReadSide | null) =>
          thread ?? new ReadSide(events, docs, now(clock), READ_MODEL_PROJECTIONS, { maxBatchSize: config.projectorBatchSize }),
        inject: [EVENT_STORE, DOCUMENT_STORE, CLOCK, READ_SIDE_THREAD],
      },
      { provide: READ_POSITION, useExisting: READ_SIDE },
    ];
  }
  const { topics, group } = kafkaNames(config.kafkaNamespace);
  const providers: Provider[] = [
    { provide: KAFKA_TOPICS, useValue: topics satisfies Topics },
    { provide: KAFKA, useFactory: () => createKafka(config.kafkaBrokers!, `crm-${roles.join('-')}`) },
    {
      provide: KAFKA_PRODUCER,
      useFactory: (kafka: Kafka): IdempotentProducer => {
        const logger = new Logger('Kafka');
        return createIdempotentProducer(kafka, {
          onRenewed: (reason) => logger.warn(`A send to Kafka failed (${reason}); the next ones go through a new producer id`),
          onError: (error) => logger.warn(`The new producer could not connect yet: ${String(error)}`),
        });
      },
      inject: [KAFKA],
    },
    {
      provide: READ_SIDE,
      useFactory: (events: EventStore, docs: DocumentStore, kafka: Kafka, clock: Clock, projector: KafkaProjector | null) => {
        const partitions = partitionCount(kafka, topics.customerEvents);
        const watermark = new PartitionWatermark(docs, topics.customerEvents, partitions);
        return new KafkaReadSide(events, docs, watermark, { topic: topics.customerEvents, partitions, clock: now(clock), projector });
      },
      inject: [EVENT_STORE, DOCUMENT_STORE, KAFKA, CLOCK, KAFKA_PROJECTOR],
    },
    { provide: READ_POSITION, useExisting: READ_SIDE },
    {
      provide: KAFKA_PROJECTOR,
      useFactory: (kafka: Kafka, docs: DocumentStore, producer: MessageSender, clock: Clock) =>
        roles.includes('projector')
          ? new KafkaProjector(kafka, docs, READ_MODEL_PROJECTIONS.map((projection) => ({ projection, collection: projection.collection })), producer, {
              topic: topics.customerEvents,
              deadLetterTopic: topics.customerEventsDeadLetters,
              groupId: group(PROJECTOR_GROUP),
              now: now(clock),
            })
          : null,
      inject: [KAFKA, DOCUMENT_STORE, KAFKA_PRODUCER, CLOCK],
    },
    {
      provide: RELAY,
      useFactory: (events: EventStore, docs: DocumentStore, producer: MessageSender, kafka: Kafka) =>
        roles.includes('relay')
          ? new Relay(events, producer, kafka, {
              topic: topics.customerEvents,
              checkpointName: RELAY_CHECKPOINT,
              checkpoints: {
                read: (name: string) => docs.readCheckpoint(name),
                write: async (name: string, position: number) => void (await docs.commit([], [{ name, position }])),
              },
            })
          : null,
      inject: [EVENT_STORE, DOCUMENT_STORE, KAFKA_PRODUCER, KAFKA],
    },
  ];
  return providers;
}
