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
 */
export class PartitionWatermark implements ReadPosition {
  /** The last read of the checkpoints: callers within pollMs of it share it (many waiting requests, one read). */
  private latest: { startedAt: number; value: Promise<number> } | null = null;

  constructor(
    private readonly store: DocumentStore,
    private readonly topic: string,
    private readonly partitions: () => Promise<number>,
    private readonly pollMs = 20,
  ) {}

  /** A lower bound of the position (at most pollMs old): positions only grow. */
  current(): Promise<number> {
    const now = Date.now();
    if (this.latest && now - this.latest.startedAt < this.pollMs) return this.latest.value;
    const value = this.read();
    this.latest = { startedAt: now, value };
    value.catch(() => {
      if (this.latest?.value === value) this.latest = null;
    });
    return value;
  }

  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.current()) >= position) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.pollMs, Math.max(1, deadline - Date.now()))));
    }
  }

  private async read(): Promise<number> {
    const count = await this.partitions();
    if (count === 0) return 0;
    const names = Array.from({ length: count }, (_, p) => partitionCheckpointName(this.topic, p));
    const positions = await Promise.all(names.map((name) => this.store.readCheckpoint(name)));
    return Math.min(...positions.map((p) => p ?? 0));
  }
}
