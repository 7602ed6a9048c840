import type { EventStore } from './event-store.port';

/** A checkpoint kept outside the log is past the log's end: it was kept for another log. */
export class CheckpointPastLogEndError extends Error {
  constructor(
    readonly checkpointName: string,
    readonly checkpoint: number,
    readonly head: number,
  ) {
    super(
      `Checkpoint '${checkpointName}' is at position ${checkpoint}, but the event log ends at ${head}: it was kept for another log. ` +
        'Following the log from it would skip every event up to that position, so nothing was started. Use the database that ' +
        'belongs to this log (or an empty one), or point the event store back at the log the checkpoint came from.',
    );
    this.name = 'CheckpointPastLogEndError';
  }
}

/** Refuses a checkpoint past the end of `events` before anything follows the log from it. */
export async function assertCheckpointWithinLog(events: Pick<EventStore, 'lastPosition'>, name: string, checkpoint: number): Promise<void> {
  if (checkpoint <= 0) return;
  const head = await events.lastPosition();
  if (checkpoint > head) throw new CheckpointPastLogEndError(name, checkpoint, head);
}
