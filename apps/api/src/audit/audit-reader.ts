import { Inject, Injectable } from '@nestjs/common';
import { customerIdFromStream, customerStreamId } from '@crm/domain';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@crm/event-store';
import { PersonalDataCipher } from '@crm/privacy';

const PAGE = 500;

export interface AuditedEvent {
  eventId: string;
  customerId: string;
  type: string;
  revision: number;
  position: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/** What auditors read: stored events with their personal fields opened (or "[erased]"). */
@Injectable()
export class AuditReader {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly cipher: PersonalDataCipher,
  ) {}

  async stream(customerId: string, fromRevision = 0, maxCount?: number): Promise<AuditedEvent[]> {
    const events = await this.store.readStream(customerStreamId(customerId), { fromRevision, maxCount });
    return this.open(customerId, events);
  }

  async exists(customerId: string): Promise<boolean> {
    return (await this.store.readStream(customerStreamId(customerId), { maxCount: 1 })).length > 0;
  }

  /** The global log from a position up to the newest event at the time of the call, page by page. */
  async *log(fromPosition: number, limit: number): AsyncGenerator<AuditedEvent> {
    const head = await this.store.lastPosition();
    let next = fromPosition;
    let left = limit;
    while (left > 0 && next <= head) {
      const page = await this.store.readAll({ fromPosition: next, maxCount: Math.min(PAGE, left) });
      const inRange = page.filter((e) => e.position <= head);
      if (inRange.length === 0) return;
      for (const event of inRange) yield (await this.open(customerIdFromStream(event.streamId), [event]))[0];
      left -= inRange.length;
      next = inRange[inRange.length - 1].position + 1;
    }
  }

  private async open(customerId: string, events: RecordedEvent[]): Promise<AuditedEvent[]> {
    const opened = await this.cipher.decrypt(customerId, events);
    return opened.map((e) => ({
      eventId: e.eventId,
      customerId,
      type: e.type,
      revision: e.revision,
      position: e.position,
      data: e.data,
      metadata: e.metadata,
    }));
  }
}
