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
  constructor(
    private readonly store: DocumentStore,
    private readonly topic: string,
    private readonly partitions: () => Promise<number>,
    private readonly pollMs = 20,
  ) {}

  async current(): Promise<number> {
    const count = await this.partitions();
    let lowest = Number.MAX_SAFE_INTEGER;
    for (let p = 0; p < count; p++) {
      lowest = Math.min(lowest, (await this.store.readCheckpoint(partitionCheckpointName(this.topic, p))) ?? 0);
    }
    return count === 0 ? 0 : lowest;
  }

  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.current()) >= position) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.pollMs, Math.max(1, deadline - Date.now()))));
    }
  }
}
