import type { AppendResult, EventStore, RecordedEvent, Subscription } from '@crm/event-store';

/**
 * The event store of a process that cannot reach the log: a projector in its own process while the
 * embedded log lives in the API process. It only consumes Kafka, so nothing should read the log;
 * whatever tries (a rebuild request it picked up) fails with this error instead of reading an
 * empty log of its own (which a rebuild would have copied over the live read models).
 */
export class NoEventLog implements EventStore {
  private fail(): never {
    throw new Error(
      'This process has no event log: the embedded log lives in the API process. Run rebuilds where the log is ' +
        '(the projector in the API process), or set ESDB_CONNECTION_STRING so that every process reads the log.',
    );
  }

  async append(): Promise<AppendResult> {
    return this.fail();
  }
  async readStream(): Promise<RecordedEvent[]> {
    return this.fail();
  }
  async readAll(): Promise<RecordedEvent[]> {
    return this.fail();
  }
  subscribeToAll(): Subscription {
    return this.fail();
  }
  async lastPosition(): Promise<number> {
    return this.fail();
  }
  async logId(): Promise<string> {
    return this.fail();
  }
  async close(): Promise<void> {}
}
