import type { EventMetadata } from '@crm/domain';

/** Who asked, under which ids, and with which concurrency expectation: everything but the payload. */
export interface CommandContext {
  commandId: string;
  correlationId: string;
  causationId: string;
  actor: EventMetadata['actor'];
  /** From If-Match: the stream revision the caller last saw. */
  expectedRevision?: number;
}

export interface CommandResult {
  customerId: string;
  revision: number;
  position: number;
}
