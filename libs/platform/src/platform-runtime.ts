import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { MongoClient } from 'mongodb';
import { EVENT_STORE, type EventStore } from '@crm/event-store';
import { ensureTopics, type IdempotentProducer, type Relay, type Topics } from '@crm/messaging';
import { DOCUMENT_STORE, type DocumentStore, type KafkaProjector, KafkaReadSide, READ_SIDE, type ReadModels, ReadSide } from '@crm/read-models';
import { EventLogBinding } from './log-binding';
import { NoEventLog } from './no-event-log';
import { WorkerReadSide } from './read-side-thread';
import { KAFKA, KAFKA_PRODUCER, KAFKA_PROJECTOR, KAFKA_TOPICS, MONGO_CLIENT, RELAY } from './tokens';

/** How often a projector process looks for rebuilds another process asked for. */
const REBUILD_POLL_MS = 1_000;

/**
 * Checks that the read-model store belongs to the event log, starts what feeds the read models, and
 * stops everything in an order that loses nothing: feeds first (each finishing its batch), then what
 * the app itself opened, then the stores and clients.
 */
@Injectable()
export class PlatformRuntime {
  private readonly logger = new Logger('Platform');
  private rebuildPoll: NodeJS.Timeout | null = null;

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(DOCUMENT_STORE) private readonly documents: DocumentStore,
    @Inject(READ_SIDE) private readonly readSide: ReadModels,
    @Inject(MONGO_CLIENT) private readonly mongo: MongoClient | null,
    @Optional() @Inject(KAFKA) private readonly kafka?: Kafka,
    @Optional() @Inject(KAFKA_PRODUCER) private readonly producer?: IdempotentProducer,
    @Optional() @Inject(RELAY) private readonly relay?: Relay | null,
    @Optional() @Inject(KAFKA_PROJECTOR) private readonly projector?: KafkaProjector | null,
    @Optional() @Inject(KAFKA_TOPICS) private readonly topics?: Topics,
  ) {}

  /** The read side that follows the log itself (in this thread or on its own), which this runtime starts and stops. */
  private get inProcessReadSide(): ReadSide | WorkerReadSide | null {
    return this.readSide instanceof ReadSide || this.readSide instanceof WorkerReadSide ? this.readSide : null;
  }

  async start(): Promise<void> {
    // A process without the log (NoEventLog) leaves the binding to the processes that have it.
    const binding = this.events instanceof NoEventLog ? null : await EventLogBinding.check(this.events, this.documents);
    if (this.kafka && this.producer && this.topics) {
      await ensureTopics(this.kafka, Object.values(this.topics));
      await this.producer.connect();
    }
    await this.inProcessReadSide?.start();
    if (this.projector) {
      await this.projector.start();
      const readSide = this.readSide;
      if (readSide instanceof KafkaReadSide) {
        this.rebuildPoll = setInterval(() => {
          readSide.serveRequests().catch((e: unknown) => this.logger.warn(`Rebuild request failed: ${String(e)}`));
        }, REBUILD_POLL_MS);
      }
    }
    await this.relay?.start();
    await binding?.recordIfNew();
  }

  async stop(closeAppResources: () => Promise<void> = async () => undefined): Promise<void> {
    if (this.rebuildPoll) clearInterval(this.rebuildPoll);
    await this.relay?.stop();
    await this.projector?.stop();
    await this.inProcessReadSide?.stop();
    await closeAppResources();
    await this.producer?.disconnect();
    await this.events.close();
    await this.documents.close();
    await this.mongo?.close();
  }
}
