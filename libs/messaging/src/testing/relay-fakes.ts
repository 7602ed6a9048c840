import type { BatchHandler, EventStore, RecordedEvent, SubscribeOptions, Subscription } from '@crm/event-store';
import type { Kafka, Message, Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import type { RelayCheckpoints } from '../relay/relay';

/** An in-memory global log with the port's subscription semantics (batches wait for the handler; a rejection ends it). */
export class FakeLog implements Pick<EventStore, 'subscribeToAll' | 'lastPosition'> {
  readonly events: RecordedEvent[] = [];
  /** afterPosition of every subscription, in order. */
  readonly subscribedAfter: number[] = [];

  async lastPosition(): Promise<number> {
    return this.events.at(-1)?.position ?? 0;
  }

  subscribeToAll({ afterPosition = 0, maxBatchSize = 500 }: SubscribeOptions, handler: BatchHandler): Subscription {
    this.subscribedAfter.push(afterPosition);
    let stopped = false;
    const done = (async () => {
      let checkpoint = afterPosition;
      while (!stopped) {
        const batch = this.events.filter((e) => e.position > checkpoint).slice(0, maxBatchSize);
        if (batch.length === 0) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        await handler(batch);
        checkpoint = batch[batch.length - 1].position;
      }
    })();
    done.catch(() => undefined);
    return {
      done,
      stop: async () => {
        stopped = true;
        await done.catch(() => undefined);
      },
    };
  }
}

export type SendBehaviour = 'ok' | 'fail' | 'hang';

/** Records what was acknowledged; `plan` decides the fate of the next sends (then 'ok'). */
export class FakeProducer implements Pick<Producer, 'send'> {
  readonly acknowledged: { topic: string; messages: Message[] }[] = [];
  readonly plan: SendBehaviour[] = [];
  attempts = 0;
  /** Called with each send before it is acknowledged (to observe ordering). */
  onSend: (record: ProducerRecord) => void = () => undefined;

  async send(record: ProducerRecord): Promise<RecordMetadata[]> {
    this.attempts++;
    this.onSend(record);
    const behaviour = this.plan.shift() ?? 'ok';
    if (behaviour === 'fail') throw new Error('KafkaJSConnectionError: broker gone');
    if (behaviour === 'hang') return new Promise<never>(() => undefined);
    this.acknowledged.push({ topic: record.topic, messages: record.messages });
    return [];
  }

  events(): Message[] {
    return this.acknowledged.flatMap((s) => s.messages).filter((m) => m.key !== null);
  }

  watermarks(): Message[] {
    return this.acknowledged.flatMap((s) => s.messages).filter((m) => m.key === null);
  }
}

export function fakeKafka(partitions: number): Pick<Kafka, 'admin'> {
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
      topics: topics.map((name) => ({ name, partitions: Array.from({ length: partitions }, (_, partitionId) => ({ partitionId })) })),
    }),
  };
  return { admin: () => admin } as unknown as Pick<Kafka, 'admin'>;
}

export class MemoryCheckpoints implements RelayCheckpoints {
  readonly values = new Map<string, number>();
  readonly writes: number[] = [];
  failWrites = 0;

  async read(name: string): Promise<number | null> {
    return this.values.get(name) ?? null;
  }

  async write(name: string, position: number): Promise<void> {
    if (this.failWrites > 0) {
      this.failWrites--;
      throw new Error('checkpoint store unavailable');
    }
    this.values.set(name, position);
    this.writes.push(position);
  }
}

