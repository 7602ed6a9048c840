import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { logLevel } from 'kafkajs';
import type { AnyBulkWriteOperation, Db, Document } from 'mongodb';

type Doc = Document & { _id: string };
import { SqliteEventStore } from '@crm/event-store';
import { createIdempotentProducer, createKafka, ensureTopics, toCustomerEventMessage } from '@crm/messaging';

/**
 * Follows the shared checkpoints the production path writes to MongoDB: the relay's (broker
 * acknowledged up to) and each partition's projector checkpoint (read models written up to; their
 * minimum is what `?minPosition` waits for). Each change is stamped with performance.now(), so a
 * sampled command's lag can be split into stages after the fact.
 */
export class CheckpointMonitor {
  readonly relay: { at: number; position: number }[] = [];
  readonly visible: { at: number; position: number }[] = [];
  /** Each partition's checkpoint as it moved: one customer's events are in when its partition passed them. */
  readonly partitions: { at: number; position: number }[][];
  private timer: NodeJS.Timeout | null = null;
  private polling = false;

  constructor(
    private readonly db: Db,
    private readonly partitionNames: string[],
    private readonly pollMs = 10,
  ) {
    this.partitions = partitionNames.map(() => []);
  }

  /** (Re)starts polling every `pollMs`: a poll is a read on the document server, whose CPU the pipeline shares. */
  start(pollMs = this.pollMs): void {
    this.stop();
    this.timer = setInterval(() => void this.poll(), pollMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get relayPosition(): number {
    return this.relay.at(-1)?.position ?? 0;
  }

  get visiblePosition(): number {
    return this.visible.at(-1)?.position ?? 0;
  }

  /** When the checkpoint (relay, all partitions, or one partition by number) first reached `position` (NaN: not yet). */
  firstAt(series: 'relay' | 'visible' | number, position: number): number {
    const list = typeof series === 'number' ? this.partitions[series] : this[series];
    let [lo, hi] = [0, list.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].position >= position) hi = mid;
      else lo = mid + 1;
    }
    return lo < list.length ? list[lo].at : NaN;
  }

  async waitVisible(position: number, timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    while (this.visiblePosition < position) {
      if (performance.now() > deadline) return NaN;
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.firstAt('visible', position);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const docs = await this.db
        .collection<{ _id: string; position: number }>('checkpoints')
        .find({ _id: { $in: ['relay', ...this.partitionNames] } })
        .toArray();
      const at = performance.now();
      const by = new Map(docs.map((d) => [d._id, d.position]));
      const relay = by.get('relay') ?? 0;
      const visible = Math.min(...this.partitionNames.map((n) => by.get(n) ?? 0));
      if (relay > this.relayPosition) this.relay.push({ at, position: relay });
      if (visible > this.visiblePosition) this.visible.push({ at, position: visible });
      this.partitionNames.forEach((name, n) => {
        const position = by.get(name) ?? 0;
        if (position > (this.partitions[n].at(-1)?.position ?? 0)) this.partitions[n].push({ at, position });
      });
    } catch {
      // a missed poll only coarsens the timings
    } finally {
      this.polling = false;
    }
  }
}

export interface KafkaRaw {
  batch: number;
  messages: number;
  perSecond: number;
  msPerSend: number;
}

/**
 * The broker's raw rate as the relay drives it: an idempotent producer (one request in flight),
 * acks -1, sequential sends of `batch` messages, the very messages the relay published in this run
 * (read back from the run's event log), to a scratch topic with the partition count of the real one.
 */
export async function kafkaRaw(brokers: string, eventsFile: string, topic: string, partitions: number, total: number, batches: number[]): Promise<{ results: KafkaRaw[]; avgBytes: number }> {
  const store = new SqliteEventStore(eventsFile);
  const events = await store.readAll({ maxCount: total });
  await store.close();
  if (events.length === 0) throw new Error('The run left no events to replay for the raw broker rate');
  const messages = events.map(toCustomerEventMessage);
  const avgBytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m.value) + m.key.length, 0) / messages.length;
  const kafka = createKafka(brokers, 'pipebench-raw', { level: logLevel.ERROR });
  await ensureTopics(kafka, [topic], { partitions });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const results: KafkaRaw[] = [];
  try {
    await producer.send({ topic, acks: -1, messages: messages.slice(0, 10) });
    for (const batch of batches) {
      const count = Math.min(total, batch * 400);
      let sent = 0;
      let sends = 0;
      const started = performance.now();
      while (sent < count) {
        const chunk = Array.from({ length: Math.min(batch, count - sent) }, (_, i) => messages[(sent + i) % messages.length]);
        await producer.send({ topic, acks: -1, messages: chunk });
        sent += chunk.length;
        sends++;
      }
      const ms = performance.now() - started;
      results.push({ batch, messages: sent, perSecond: (sent * 1000) / ms, msPerSend: ms / sends });
    }
  } finally {
    await producer.disconnect();
  }
  return { results, avgBytes };
}

export interface MongoRaw {
  docBytes: number;
  /** Documents in the scratch collection once the inserts stopped. */
  collectionSize: number;
  insertsPerSecond: number;
  replacesPerSecond: number;
  /** Diagnostic, not what the store does: the same replace with a filter on `_id` alone. */
  replacesByIdOnlyPerSecond: number;
  findOneMicros: number;
  findOneP99Micros: number;
}

/**
 * The document server's raw rate as MongoDocumentStore writes: bulkWrite of replaceOne
 * `{ _id, revision: { $lt } }` upserts, unordered, ignoreUndefined, the default write concern (the
 * store sets none), with this run's real profile documents as templates; `concurrency` writers at
 * once, like the projector's partitions. Each pass stops after `total` documents or `maxSeconds`.
 * Then the sequential findOne by _id the projector does for each read model of each customer it
 * does not hold in memory.
 */
export async function mongoRaw(
  db: Db,
  collection: string,
  templates: Document[],
  total: number,
  batch: number,
  concurrency: number,
  maxSeconds: number,
): Promise<MongoRaw> {
  if (templates.length === 0) throw new Error('No profile documents to use as templates for the raw document-server rate');
  const target = db.collection<Doc>(collection);
  const ids = Array.from({ length: total }, () => randomUUID());
  const docOf = (i: number, revision: number) => ({ ...templates[i % templates.length], _id: ids[i], customerId: ids[i], revision });
  const docBytes = templates.reduce((sum, t) => sum + JSON.stringify(t).length, 0) / templates.length;
  const write = async (count: number, revision: number, conditional: boolean) => {
    let next = 0;
    let done = 0;
    const started = performance.now();
    const deadline = started + maxSeconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count && performance.now() < deadline) {
          const from = next;
          next = Math.min(count, next + batch);
          const ops: AnyBulkWriteOperation<Doc>[] = [];
          for (let i = from; i < next; i++) {
            const doc: Doc = docOf(i, revision);
            ops.push({ replaceOne: { filter: conditional ? { _id: doc._id, revision: { $lt: revision } } : { _id: doc._id }, replacement: doc, upsert: true } });
          }
          await target.bulkWrite(ops, { ordered: false, ignoreUndefined: true });
          done += ops.length;
        }
      }),
    );
    return { done, perSecond: (done * 1000) / (performance.now() - started) };
  };
  await target.insertOne({ _id: 'warm', revision: 0 });
  const inserted = await write(total, 1, true);
  const replaced = await write(inserted.done, 2, true);
  const byId = await write(inserted.done, 3, false);
  const lookups: number[] = [];
  for (let i = 0; i < Math.min(2_000, inserted.done); i++) {
    const t0 = performance.now();
    await target.findOne({ _id: ids[(i * 7919) % inserted.done] });
    lookups.push((performance.now() - t0) * 1000);
  }
  lookups.sort((a, b) => a - b);
  return {
    docBytes,
    collectionSize: inserted.done + 1,
    insertsPerSecond: inserted.perSecond,
    replacesPerSecond: replaced.perSecond,
    replacesByIdOnlyPerSecond: byId.perSecond,
    findOneMicros: lookups[Math.floor(lookups.length / 2)],
    findOneP99Micros: lookups[Math.ceil(lookups.length * 0.99) - 1],
  };
}
