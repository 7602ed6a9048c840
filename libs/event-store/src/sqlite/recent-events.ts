import type { EventToAppend, RecordedEvent } from '../event-store.port';

/**
 * The events this process appended lately, once durable, in position order, so a subscription
 * following the log reads them from memory instead of from SQLite. Only a contiguous run of
 * positions is kept: when an appended position skips (another process wrote to the file, or a
 * position was never used), the run restarts there and readers fall back to SQLite for the hole.
 */
export class RecentEvents {
  private run: RecordedEvent[] = [];

  constructor(
    /** The position the next event must have to continue the run (the log's head + 1 at open). */
    private next: number,
    private readonly capacity = 20_000,
  ) {}

  /** Called once an append is durable; appends become durable in position order. */
  add(streamId: string, events: readonly EventToAppend[], firstPosition: number, firstRevision: number): void {
    if (firstPosition !== this.next) this.run = [];
    events.forEach((e, i) => {
      this.run.push({ ...e, streamId, revision: firstRevision + i, position: firstPosition + i });
    });
    this.next = firstPosition + events.length;
    if (this.run.length > this.capacity) this.run = this.run.slice(this.run.length - this.capacity / 2);
  }

  /** Events after `afterPosition` when the run covers that point, else null (read SQLite instead). */
  after(afterPosition: number, maxCount: number): RecordedEvent[] | null {
    if (this.run.length === 0) return null;
    const start = afterPosition + 1 - this.run[0].position;
    if (start < 0 || start > this.run.length) return null;
    return this.run.slice(start, start + maxCount);
  }
}
