import type { EventStore } from '@crm/event-store';
import type { DocumentStore } from '../document-store/document-store.port';
import type { Projection } from '../projections/projection';
import { READ_MODEL_PROJECTIONS } from '../projections/read-model-projections';
import { type ParkedCustomer, parkedCollectionOf } from '../projector/projection-worker';
import { type ProjectionStatus, type ReadModels, RebuildConflictError } from '../projector/read-side';
import { Rebuild, type RebuildProgress } from '../projector/rebuild';
import { partitionCheckpointName, type PartitionWatermark } from '../queries/partition-watermark';
import type { KafkaProjector } from './kafka-projector';
import { RebuildRequests } from './rebuild-requests';

/** Beyond this many events behind, the lag is reported as at least this many (counting costs a read). */
const LAG_COUNT_CAP = 10_000;

export interface KafkaReadSideOptions {
  topic: string;
  partitions: () => Promise<number>;
  clock: () => Date;
  /** The projector when it runs in this process: rebuilds then run here, holding it still for the switch. */
  projector: KafkaProjector | null;
  projections?: readonly Projection[];
}

/** The read side when projectors consume Kafka, possibly in other processes: state comes from the shared store. */
export class KafkaReadSide implements ReadModels {
  private readonly requests: RebuildRequests;
  private running: Rebuild | null = null;
  private lastRun: RebuildProgress | null = null;

  constructor(
    private readonly events: EventStore,
    private readonly store: DocumentStore,
    private readonly watermark: PartitionWatermark,
    private readonly options: KafkaReadSideOptions,
  ) {
    this.requests = new RebuildRequests(store);
  }

  current(customerId?: string): Promise<number> {
    return this.watermark.current(customerId);
  }

  waitFor(position: number, timeoutMs: number, customerId?: string): Promise<boolean> {
    return this.watermark.waitFor(position, timeoutMs, customerId);
  }

  async startRebuild(names: readonly string[]): Promise<RebuildProgress> {
    const now = this.options.clock().toISOString();
    if (!this.options.projector) {
      const request = await this.requests.request(names, now);
      return { ...request, phase: 'copying' };
    }
    if (this.running) throw new RebuildConflictError(this.running.progress.projections);
    return this.run(names);
  }

  /** Runs a rebuild here, in the projector's process. */
  run(names: readonly string[], onProgress?: (p: RebuildProgress) => void): RebuildProgress {
    const projections = this.projections().filter((p) => names.includes(p.name));
    const rebuild = new Rebuild(this.events, this.store, projections, this.options.projector, { now: this.options.clock, onProgress });
    this.running = rebuild;
    void rebuild
      .run()
      .catch(() => undefined)
      .finally(() => {
        this.lastRun = rebuild.progress;
        this.running = null;
      });
    return rebuild.progress;
  }

  /** Claims and runs a rebuild another process asked for (the projector process polls this). */
  async serveRequests(): Promise<void> {
    if (this.running) return;
    let claimed = await this.requests.claim();
    if (!claimed) return;
    const started = this.run(claimed.projections, (progress) => {
      void this.requests.report(claimed!, progress).then((next) => (claimed = next));
    });
    claimed = await this.requests.report(claimed, started);
  }

  async status(): Promise<ProjectionStatus[]> {
    const [position, head] = [await this.current(), await this.events.lastPosition()];
    const behind = position >= head ? [] : await this.events.readAll({ fromPosition: position + 1, maxCount: LAG_COUNT_CAP });
    const oldest = behind[0] ? Date.parse(String(behind[0].metadata.recordedAt)) : NaN;
    const lagSeconds = Number.isNaN(oldest) ? 0 : Math.max(0, (this.options.clock().getTime() - oldest) / 1000);
    const parked = await this.parked();
    const requested = this.running?.progress ?? this.lastRun ?? (await this.requests.current());
    return this.projections().map((p) => {
      const rebuild = requested && requested.projections.includes(p.name) ? (requested as RebuildProgress) : null;
      const rebuilding = rebuild !== null && rebuild.phase !== 'done' && rebuild.phase !== 'failed';
      return {
        name: p.name,
        collection: p.collection,
        status: rebuilding ? 'rebuilding' : parked.length > 0 ? 'degraded' : 'live',
        position,
        head,
        lagEvents: behind.length,
        lagSeconds,
        parkedCustomers: parked.length,
        parked: parked.slice(0, 20).map((c) => ({ customerId: c._id, reason: c.reason, position: c.position })),
        lastError: null,
        rebuild,
      };
    });
  }

  private async parked(): Promise<ParkedCustomer[]> {
    const all: ParkedCustomer[] = [];
    const count = await this.options.partitions();
    for (let p = 0; p < count; p++) {
      all.push(...(await this.store.find<ParkedCustomer>(parkedCollectionOf(partitionCheckpointName(this.options.topic, p)), {})));
    }
    return all;
  }

  private projections(): readonly Projection[] {
    return this.options.projections ?? READ_MODEL_PROJECTIONS;
  }
}
