import { type Db, MongoServerError } from 'mongodb';

const BATCH = 1000;

// mongo-java-server answers "ns not found" / "source namespace does not exist" without code 26.
export function isNamespaceNotFound(error: unknown): boolean {
  return error instanceof MongoServerError && (Number(error.code) === 26 || /ns not found|namespace does not exist/i.test(error.message));
}

export async function dropIfExists(db: Db, name: string): Promise<void> {
  try {
    await db.dropCollection(name);
  } catch (error) {
    if (!isNamespaceNotFound(error)) throw error;
  }
}

/**
 * mongo-java-server (the H2 backend of infra/, 1.47) renames only the collection's name, not its
 * storage: the data stays filed under the old name, so a collection created later under that name
 * shares it, and after a restart the renamed collection is empty. It reports `process: "java"` in
 * serverStatus, where mongod says "mongod". Without the right to run serverStatus, assume MongoDB.
 */
export async function renamesLoseData(db: Db): Promise<boolean> {
  try {
    const status = await db.admin().command({ serverStatus: 1 });
    return status.process === 'java';
  } catch {
    return false;
  }
}

/**
 * Replaces `to`'s documents with `from`'s without renaming: replace or insert each document with
 * $merge, delete the ones only `to` had, then drop `from`. Not atomic: while it runs, readers of
 * `to` see old and new documents mixed (never an empty collection). `to` keeps its own indexes.
 */
export async function renameByCopy(db: Db, from: string, to: string): Promise<void> {
  const exists = (await db.listCollections({ name: from }, { nameOnly: true }).toArray()).length > 0;
  if (!exists) return dropIfExists(db, to);
  await db
    .collection(from)
    .aggregate([{ $merge: { into: to, on: '_id', whenMatched: 'replace', whenNotMatched: 'insert' } }])
    .toArray();
  const kept = new Set<unknown>();
  for await (const doc of db.collection(from).find({}, { projection: { _id: 1 } })) kept.add(doc._id);
  let stale: unknown[] = [];
  for await (const doc of db.collection(to).find({}, { projection: { _id: 1 } })) {
    if (!kept.has(doc._id)) stale.push(doc._id);
    if (stale.length >= BATCH) stale = await deleteIds(db, to, stale);
  }
  await deleteIds(db, to, stale);
  await dropIfExists(db, from);
}

async function deleteIds(db: Db, collection: string, ids: unknown[]): Promise<unknown[]> {
  if (ids.length > 0) await db.collection(collection).deleteMany({ _id: { $in: ids as never[] } });
  return [];
}
