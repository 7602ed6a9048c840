import type { EventStore } from '../event-store.port';
import { describeAppendContract } from './append.contract';
import { describeIdempotencyContract } from './idempotency.contract';
import { describeIdentityContract } from './identity.contract';
import { describeReadingContract } from './reading.contract';
import { describeSubscriptionContract } from './subscription.contract';

export { newEvent, newEvents, newStreamId } from './contract-helpers';

/**
 * The EventStore port's contract, run by every adapter. It must hold against a shared server that
 * already holds events and is written to by others: every test uses fresh streams, and global-log
 * assertions only consider the test's own streams after a position recorded before writing.
 */
export function describeEventStoreContract(
  name: string,
  open: () => Promise<EventStore>,
  close: (store: EventStore) => Promise<void> = (store) => store.close(),
  /** A second client on the store's log; by default open() again (a server adapter reaches the same log). */
  anotherClient: (store: EventStore) => Promise<EventStore> = () => open(),
): void {
  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => close(store));

    describeAppendContract(() => store);
    describeIdempotencyContract(() => store);
    describeReadingContract(() => store);
    describeSubscriptionContract(() => store);
    describeIdentityContract(() => store, anotherClient);
  });
}
