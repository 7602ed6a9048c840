import { partitionOfKey } from '@crm/messaging';
import type { DocumentStore } from '../document-store/document-store.port';
import type { ReadPosition } from './read-position';

export function partitionCheckpointName(topic: string, partition: number): string {
  return `kafka:${topic}:${partition}`;
}

/**
 * The read position when projectors consume Kafka: each partition's projector stores the global
 * position it has reached (events and the relay's watermarks), so every event at or below the
 * smallest of them is in the read models. Read from the shared store, so the API need not run
 * the projector itself.
 *
 * One customer's events all go to one partition (keyed by customer id), in order, and a partition's
 * checkpoint is written after its documents: every event of that customer up to its partition's
 * checkpoint is in the read models. A read of one customer waits for that partition alone, not for
 * the slowest of them.
 */
export class PartitionWatermark implements ReadPosition {
  /** The last read of the checkpoints: callers within pollMs of it share it (many waiting requests, one read). */
  private latest: { startedAt: number; value: Promise<number[]> } | null = null;

  constructor(
    private readonly store: DocumentStore,
    private readonly topic: string,
    private readonly partitions: () => Promise<number>,
    private readonly pollMs = 20,
  ) {}

  /** A lower bound of the position (at most pollMs old): positions only grow. */
  async current(customerId?: string): Promise<number> {
    const positions = await this.positions();
    if (positions.length === 0) return 0;
    const all = Math.min(...positions);
    return customerId === undefined ? all : Math.max(all, positions[partitionOfKey(customerId, positions.length)]);
  }

  async waitFor(position: number, timeoutMs: number, customerId?: string): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.current(customerId)) >= position) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.pollMs, Math.max(1, deadline - Date.now()))));
    }
  }

  /** Each partition's checkpoint, by partition number. */
  private positions(): Promise<number[]> {
    const now = Date.now();
    if (this.latest && now - this.latest.startedAt < this.pollMs) return this.latest.value;
    const value = this.read();
    this.latest = { startedAt: now, value };
    value.catch(() => {
      if (this.latest?.value === value) this.latest = null;
    });
    return value;
  }

  private async read(): Promise<number[]> {
    const count = await this.partitions();
    const names = Array.from({ length: count }, (_, p) => partitionCheckpointName(this.topic, p));
    const positions = await Promise.all(names.map((name) => this.store.readCheckpoint(name)));
    return positions.map((p) => p ?? 0);
  }
}
