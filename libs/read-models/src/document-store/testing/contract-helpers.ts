import { randomUUID } from 'node:crypto';
import type { Document, DocumentStore } from '../document-store.port';

export type StoreRef = () => DocumentStore;

const randomName = (prefix: string) => `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;

/**
 * Fresh collection and checkpoint names, dropped after each test (or after all of them): the suite
 * must hold on a shared server that others write to.
 */
export function scratch(store: StoreRef, drop: 'afterEach' | 'afterAll' = 'afterEach'): { collection: () => string; checkpoint: () => string } {
  const collections: string[] = [];
  const checkpoints: string[] = [];
  (drop === 'afterEach' ? afterEach : afterAll)(async () => {
    for (const name of collections.splice(0)) await store().dropCollection(name);
    for (const name of checkpoints.splice(0)) await store().deleteCheckpoint(name);
  });
  return {
    collection: () => {
      const name = randomName('t');
      collections.push(name);
      return name;
    },
    checkpoint: () => {
      const name = randomName('cp');
      checkpoints.push(name);
      return name;
    },
  };
}

export function doc(_id: string, revision: number, fields: Record<string, unknown> = {}): Document {
  return { _id, revision, ...fields };
}

export async function put(store: DocumentStore, collection: string, docs: Document[]): Promise<void> {
  await store.commit(docs.map((d) => ({ collection, doc: d })));
}

export const ids = (docs: Document[]): string[] => docs.map((d) => d._id);
