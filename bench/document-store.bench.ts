// Timings of the embedded store at 100k profile-like documents (not a test: figures vary by machine).
// Run: npx swc libs/read-models/src/document-store libs/sqlite/src -d /tmp/bench --config-file .swcrc
//      NODE_PATH=$PWD/node_modules node /tmp/bench/libs/read-models/src/document-store/embedded-document-store.bench.js
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Document, EmbeddedDocumentStore } from '@crm/read-models';

const N = 100_000;
const STAGES = ['acquired', 'engaged', 'converted', 'retained', 'churned'];

function profile(i: number, id: string): Document {
  return {
    _id: id,
    revision: 1,
    position: i,
    customerId: id,
    stage: STAGES[i % STAGES.length],
    type: i % 3 === 0 ? 'business' : 'consumer',
    channel: 'web',
    region: i % 4 === 0 ? null : `region-${i % 7}`,
    ownerId: `owner-${i % 50}`,
    tags: ['vip', `t${i % 10}`],
    acquiredAt: new Date(1_600_000_000_000 + i * 60_000).toISOString(),
    purchaseCount: i % 12,
    totalSpendMinor: (i % 1000) * 1999,
    lastPurchaseAt: null,
    lastContactAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    nextFollowUpAt: i % 5 === 0 ? new Date(1_710_000_000_000 + i * 1000).toISOString() : null,
    openComplaintIds: i % 9 === 0 ? [`c-${i}`] : [],
    openComplaints: i % 9 === 0 ? 1 : 0,
    csatLast: i % 6,
    npsLast: i % 11,
    hasEmail: true,
    hasPhone: i % 2 === 0,
    erased: false,
  };
}

function time<T>(fn: () => T): [T, number] {
  const start = process.hrtime.bigint();
  const value = fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e6];
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, Number(process.hrtime.bigint() - start) / 1e6];
}

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(3);
  return `median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms (${samples.length} runs)`;
}

async function repeat(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push((await timeAsync(fn))[1]);
  return samples;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'doc-store-bench-'));
  const file = join(dir, 'read-models.db');
  let store = new EmbeddedDocumentStore(file);
  const ids = Array.from({ length: N }, () => randomUUID());
  const sample = profile(0, ids[0]);
  console.log(`${N} documents of ${Object.keys(sample).length} fields, ~${JSON.stringify(sample).length} bytes of JSON each`);
  const commits: number[] = [];
  for (let from = 0; from < N; from += 10_000) {
    const writes = ids.slice(from, from + 10_000).map((id, k) => ({ collection: 'profiles', doc: profile(from + k, id) }));
    commits.push((await timeAsync(() => store.commit(writes, [{ name: 'bench', position: from }])))[1]);
  }
  console.log(`commit of 10,000 inserts: ${stats(commits)}`);
  const updates = ids.slice(0, 10_000).map((id, k) => ({ collection: 'profiles', doc: { ...profile(k, id), revision: 2 } }));
  console.log(`commit of 10,000 replaces: ${(await timeAsync(() => store.commit(updates)))[1].toFixed(1)} ms`);
  console.log(`commit of 10,000 stale writes (all skipped): ${(await timeAsync(() => store.commit(updates)))[1].toFixed(1)} ms`);

  await store.close();
  const [reopened, loadMs] = time(() => new EmbeddedDocumentStore(file));
  store = reopened;
  console.log(`reopen and load ${N} documents: ${loadMs.toFixed(0)} ms`);

  let k = 0;
  const lookups = 100_000;
  const [, lookupMs] = await timeAsync(async () => {
    for (let i = 0; i < lookups; i++) await store.findOne('profiles', { _id: ids[(k = (k * 7919 + 1) % N)] });
  });
  console.log(`findOne by _id: ${((lookupMs * 1000) / lookups).toFixed(2)} µs each (${lookups} lookups, await included)`);

  const sortedIds = [...ids].sort();
  const firstPage = () => store.find('profiles', { stage: 'converted' }, { sort: { _id: 1 }, limit: 100 });
  console.log(`first ordered read (sorts the ids once): ${(await timeAsync(firstPage))[1].toFixed(1)} ms`);
  console.log(`filtered page { stage: 'converted' }, sort _id, limit 100: ${stats(await repeat(50, firstPage))}`);
  const cursorPage = () => {
    const cursor = sortedIds[(k = (k * 7919 + 1) % N)];
    return store.find('profiles', { _id: { $gt: cursor }, stage: 'converted' }, { sort: { _id: 1 }, limit: 100 });
  };
  console.log(`cursor page { _id: { $gt }, stage }, sort _id, limit 100: ${stats(await repeat(50, cursorPage))}`);
  const rarePage = () => store.find('profiles', { ownerId: 'owner-7', openComplaints: { $gt: 0 } }, { sort: { _id: 1 }, limit: 100 });
  console.log(`sparse page (1 in 450 matches, walks all ids): ${stats(await repeat(20, rarePage))}`);
  console.log(`count { stage: 'converted' }: ${stats(await repeat(20, () => store.count('profiles', { stage: 'converted' })))}`);
  const complex = { stage: { $in: ['converted', 'retained'] }, purchaseCount: { $gte: 3 }, region: { $ne: null } };
  console.log(`count with $in/$gte/$ne: ${stats(await repeat(20, () => store.count('profiles', complex)))}`);
  const bySortedField = () => store.find('profiles', { nextFollowUpAt: { $ne: null } }, { sort: { nextFollowUpAt: 1, _id: 1 }, limit: 50 });
  console.log(`sort by another field (20k matches, mingo sort): ${stats(await repeat(10, bySortedField))}`);
  console.log(`find all ${N} (no copy): ${stats(await repeat(10, () => store.find('profiles', {})))}`);

  const fresh = Array.from({ length: 1000 }, (_, i) => ({ collection: 'profiles', doc: profile(N + i, randomUUID()) }));
  await store.commit(fresh);
  console.log(`first page after 1,000 new ids (merge into the sorted ids): ${(await timeAsync(firstPage))[1].toFixed(1)} ms`);

  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
