import type { DocumentStore } from '../document-store.port';
import { describeCollectionsContract } from './collections.contract';
import { describeCommitContract } from './commit.contract';
import { describePagingContract } from './paging.contract';
import { describeQueryContract } from './query.contract';
import { describeRevisionProperty } from './revision.property';

/** The DocumentStore port's contract, run by every adapter (each adapter's spec calls it in one line). */
export function describeDocumentStoreContract(
  name: string,
  open: () => Promise<DocumentStore>,
  close: (store: DocumentStore) => Promise<void> = (store) => store.close(),
): void {
  describe(`DocumentStore contract: ${name}`, () => {
    let store: DocumentStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => close(store));

    describeCommitContract(() => store);
    describeQueryContract(() => store);
    describePagingContract(() => store);
    describeCollectionsContract(() => store);
    describeRevisionProperty(() => store);
  });
}
