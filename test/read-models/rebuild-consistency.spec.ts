import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CustomerCommand, customerDecider, type CustomerState, customerStreamId, DomainError, type RecordedCustomerEvent } from '@crm/domain';
import { type EventToAppend, type JsonObject, SqliteEventStore } from '@crm/event-store';
import { acquisitionOf, advance, commandOf, newScript, type Step, stepArb } from '../support/customer-workload';
import { expectProfilesCoverLog, expectSameReadModels, expectWellFormedLog, persistedSnapshot, rebuiltSnapshot } from '../support/read-model-consistency';
import {
  type Checkpoint,
  type CommitResult,
  type Document,
  type DocumentStore,
  type DocumentWrite,
  EmbeddedDocumentStore,
  type Filter,
  type FindOptions,
  LIVE_PROJECTOR,
  type Projection,
  Projector,
  READ_MODEL_PROJECTIONS,
  Rebuild,
} from '../support/read-models';

/*
 * Property: rebuilds of random subsets of the read models, run beside the live projector while the
 * log grows, switched in while the live projector is paused, failing or crashing at any step
 * (the process dying mid-switch included), leave the live read models equal to a from-scratch
 * rebuild once the projector caught up. The store answers after random delays, as a server store
 * would, so the rebuild and the projector's recovery interleave at every await.
 */

const START = Date.parse('2024-01-01T00:00:00.000Z');
const END = Date.parse('2026-06-30T00:00:00.000Z');
const TARGETS = READ_MODEL_PROJECTIONS.map((projection) => ({ projection, collection: projection.collection }));

const uuidOf = (n: number, kind: number) => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

/** Valid histories from the real decider (refused commands skipped), one append per accepted command, interleaved. */
function appendsOf(customers: number, steps: readonly Step[], order: readonly number[]): { streamId: string; events: EventToAppend[] }[][] {
  const decider = customerDecider();
  const scripts = Array.from({ length: customers }, (_, i) => newScript(uuidOf(i, 3), START + i * 3_600_000));
  const states: CustomerState[] = scripts.map(() => decider.initialState());
  const perStream: EventToAppend[][][] = scripts.map(() => []);
  let n = 0;
  for (const step of steps) {
    const i = step.who % customers;
    const script = scripts[i];
    const at = advance(script, step, START, END);
    const occurredAt = new Date(at).toISOString();
    const command = (script.acquired ? commandOf(script, step, at) : acquisitionOf(script, step, i)) as CustomerCommand;
    let decided;
    try {
      decided = decider.decide({ ...command, time: { occurredAt, now: occurredAt } }, states[i]);
    } catch (error) {
      if (error instanceof DomainError) continue;
      throw error;
    }
    script.acquired = true;
    if (decided.length === 0) continue;
    perStream[i].push(
      decided.map((event) => {
        const eventId = uuidOf(n++, 4);
        const metadata = { eventId, commandId: eventId, correlationId: eventId, causationId: eventId, actor: { id: 'k', role: 'service' as const }, occurredAt, recordedAt: occurredAt, schemaVersion: 1 };
        states[i] = decider.evolve(states[i], { ...event, metadata } as RecordedCustomerEvent);
        return { eventId, type: event.type, data: event.data as JsonObject, metadata };
      }),
    );
  }
  // Waves of appends to distinct streams; each stream keeps its order.
  const next = perStream.map(() => 0);
  const waves: { streamId: string; events: EventToAppend[] }[][] = [];
  let live = perStream.map((_, i) => i).filter((i) => perStream[i].length > 0);
  for (let k = 0; live.length > 0; k++) {
    const width = 1 + (order[k % order.length] % Math.min(8, live.length));
    const chosen = new Set(Array.from({ length: width }, (_, j) => live[(order[(k + j) % order.length] + j) % live.length]));
    waves.push([...chosen].map((i) => ({ streamId: customerStreamId(scripts[i].id), events: perStream[i][next[i]++] })));
    live = live.filter((i) => next[i] < perStream[i].length);
  }
  return waves;
}

class SimulatedCrash extends Error {
  constructor(what: string) {
    super(`simulated ${what}`);
    this.name = 'SimulatedCrash';
  }
}

/**
 * The document store seen across a slow connection, as with a server store: every call resolves
 * after a random delay (none, a turn of the event loop, or a millisecond). It can fail the live
 * projector's next commits (a transient error, retried) or die after some more calls (the process
 * is gone: nothing reaches the file any more). It also records any commit the live projector
 * starts while a rebuild holds it paused, which must never happen.
 */
class FlakyStore implements DocumentStore {
  private callsLeft = Infinity;
  private failCommits = 0;
  /** One-shot hooks, to force an interleaving. */
  beforeReadCheckpoint: (() => Promise<void>) | null = null;
  beforeRename: (() => Promise<void>) | null = null;
  beforeLiveCommit: (() => Promise<void>) | null = null;

  constructor(
    readonly inner: DocumentStore,
    private readonly random: () => number,
  ) {}

  failNextCommits(count = 1): void {
    this.failCommits = count;
  }

  dieAfter(calls: number): void {
    this.callsLeft = Math.min(this.callsLeft, calls);
  }

  private async call<T>(work: () => Promise<T>, liveCommit = false): Promise<T> {
    const r = this.random();
    if (r < 0.3) await new Promise((resolve) => setImmediate(resolve));
    else if (r < 0.4) await new Promise((resolve) => setTimeout(resolve, Math.floor(r * 20) % 3));
    if (this.callsLeft-- <= 0) throw new SimulatedCrash('crash');
    if (liveCommit && this.failCommits > 0) {
      this.failCommits--;
      throw new SimulatedCrash('commit failure');
    }
    return work();
  }

  findOne<T extends Document>(collection: string, filter: Filter): Promise<T | null> {
    return this.call(() => this.inner.findOne<T>(collection, filter));
  }

  find<T extends Document>(collection: string, filter: Filter, options?: FindOptions): Promise<T[]> {
    return this.call(() => this.inner.find<T>(collection, filter, options));
  }

  count(collection: string, filter: Filter): Promise<number> {
    return this.call(() => this.inner.count(collection, filter));
  }

  /** Set while a rebuild holds the live projector paused: the live projector must not write then. */
  livePaused = false;
  readonly writesWhilePaused: number[] = [];

  commit(writes: DocumentWrite[], checkpoints?: Checkpoint[]): Promise<CommitResult> {
    const live = checkpoints?.find((c) => c.name === LIVE_PROJECTOR);
    if (live && this.livePaused) this.writesWhilePaused.push(live.position);
    const hook = live ? this.beforeLiveCommit : null;
    if (hook) this.beforeLiveCommit = null;
    if (hook) return hook().then(() => this.call(() => this.inner.commit(writes, checkpoints), true));
    return this.call(() => this.inner.commit(writes, checkpoints), live !== undefined);
  }

  readCheckpoint(name: string): Promise<number | null> {
    const hook = this.beforeReadCheckpoint;
    this.beforeReadCheckpoint = null;
    return this.call(async () => {
      await hook?.();
      return this.inner.readCheckpoint(name);
    });
  }

  deleteCheckpoint(name: string): Promise<void> {
    return this.call(() => this.inner.deleteCheckpoint(name));
  }

  renameCollection(from: string, to: string): Promise<void> {
    const hook = this.beforeRename;
    this.beforeRename = null;
    return this.call(async () => {
      await hook?.();
      return this.inner.renameCollection(from, to);
    });
  }

  dropCollection(name: string): Promise<void> {
    return this.call(() => this.inner.dropCollection(name));
  }

  ensureIndex(collection: string, keys: Record<string, 1 | -1>): Promise<void> {
    return this.call(() => this.inner.ensureIndex(collection, keys));
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

type Fault =
  /** A rebuild; with `outage`, the live projector's commits start failing once the rebuild has copied that share of the log. */
  | { kind: 'rebuild'; projections: Projection[]; pageSize: number; maxUnflushed: number; outage: { at: number; commits: number } | null }
  /** The live projector's next commits fail: it retries meanwhile, while a rebuild may go on. */
  | { kind: 'commit-fails'; times: number }
  /** The process dies after this many more store calls, wherever they come from (a rebuild's switch included). */
  | { kind: 'crash'; afterCalls: number };

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('rebuild' as const),
      projections: fc.subarray([...READ_MODEL_PROJECTIONS], { minLength: 1 }),
      pageSize: fc.integer({ min: 1, max: 400 }),
      maxUnflushed: fc.integer({ min: 1, max: 3000 }),
      outage: fc.option(fc.record({ at: fc.double({ min: 0.5, max: 1, noNaN: true }), commits: fc.integer({ min: 1, max: 200 }) })),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('commit-fails' as const), times: fc.integer({ min: 1, max: 40 }) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('crash' as const), afterCalls: fc.integer({ min: 0, max: 400 }) }), weight: 2 },
);

const scenarioArb = fc.record({
  customers: fc.integer({ min: 20, max: 40 }),
  steps: fc.array(stepArb, { minLength: 1500, maxLength: 2500 }),
  order: fc.array(fc.nat({ max: 1 << 16 }), { minLength: 1, maxLength: 64 }),
  faults: fc.array(fc.record({ afterWaves: fc.integer({ min: 0, max: 120 }), fault: faultArb }), { minLength: 2, maxLength: 10 }),
  maxBatchSize: fc.integer({ min: 1, max: 200 }),
  retryDelayMs: fc.integer({ min: 0, max: 3 }),
  seed: fc.integer(),
});

/** A small seeded generator, so the store's delays replay with the counterexample. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A hook that reports when it is reached and holds its caller until released. */
function gate(): { hold: () => Promise<void>; reached: Promise<void>; release: () => void } {
  let arrive!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  const held = new Promise<void>((resolve) => (release = resolve));
  return { hold: () => (arrive(), held), reached, release: () => release() };
}

/** A live projector (retrying at once) over a FlakyStore, and appends to one customer's stream. */
function oneCustomer(prefix: string, n: number) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const events = new SqliteEventStore(join(root, 'events.db'));
  const store = new FlakyStore(new EmbeddedDocumentStore(join(root, 'read-models.db')), () => 1);
  const projector = new Projector(events, store, TARGETS, LIVE_PROJECTOR, { retryDelayMs: 0 });
  const customerId = uuidOf(n, 5);
  let revision = -1;
  const append = async (type: string, data: Record<string, unknown>) => {
    const at = new Date(START + (revision + 1) * 86_400_000).toISOString();
    const eventId = uuidOf(n * 1_000 + revision + 1, 6);
    const metadata = { eventId, commandId: eventId, correlationId: eventId, causationId: eventId, actor: { id: 'k', role: 'service' }, occurredAt: at, recordedAt: at, schemaVersion: 1 };
    const result = await events.append(customerStreamId(customerId), [{ eventId, type, data: { customerId, ...data }, metadata }], revision < 0 ? 'no_stream' : revision);
    revision = result.revision;
    return result.position;
  };
  const close = async () => {
    await projector.stop();
    await store.close();
    await events.close();
    rmSync(root, { recursive: true, force: true });
  };
  return { root, events, store, projector, append, close };
}

describe('read models equal a from-scratch rebuild after rebuilds beside the live projector (property)', () => {
  it('with rebuilds of random read models, store failures and crashes at any step of a rebuild or its switch', async () => {
    const stats = { runs: 0, events: 0, rebuiltDone: 0, rebuiltFailed: 0, crashes: 0 };
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const root = mkdtempSync(join(tmpdir(), 'crm-rebuild-consistency-'));
        const files = { events: join(root, 'events.db'), live: join(root, 'read-models.db'), oracle: join(root, 'oracle.db') };
        const events = new SqliteEventStore(files.events);
        const random = mulberry32(s.seed);
        const open = () => new FlakyStore(new EmbeddedDocumentStore(files.live), random);
        const projectorOn = (store: DocumentStore) =>
          new Projector(events, store, TARGETS, LIVE_PROJECTOR, { maxBatchSize: s.maxBatchSize, retryDelayMs: s.retryDelayMs });
        let store = open();
        let projector = projectorOn(store);
        let rebuild: Promise<unknown> | null = null;
        const settle = (run: Promise<unknown>) =>
          run.then(
            () => stats.rebuiltDone++,
            (error: unknown) => {
              expect(error).toBeInstanceOf(SimulatedCrash);
              stats.rebuiltFailed++;
            },
          );
        try {
          await projector.start();
          const faults = [...s.faults];
          let waves = 0;
          for (const wave of appendsOf(s.customers, s.steps, s.order)) {
            await Promise.all(wave.map((a) => events.append(a.streamId, a.events, 'any')));
            await new Promise((resolve) => setImmediate(resolve));
            if (faults.length === 0 || waves++ < faults[0].afterWaves) continue;
            waves = 0;
            const { fault } = faults.shift()!;
            if (fault.kind === 'commit-fails') store.failNextCommits(fault.times);
            else if (fault.kind === 'rebuild') {
              if (rebuild) continue; // one at a time, as the read side allows
              const [liveStore, live] = [store, projector];
              const pausable = {
                pause: async () => {
                  await live.pause();
                  liveStore.livePaused = true;
                },
                resume: () => {
                  liveStore.livePaused = false;
                  live.resume();
                },
              };
              let outage = fault.outage;
              const onProgress = (p: { phase: string; position: number; head: number }) => {
                if (outage && p.phase === 'copying' && p.position >= outage.at * p.head) {
                  liveStore.failNextCommits(outage.commits);
                  outage = null;
                }
              };
              const options = { pageSize: fault.pageSize, maxUnflushed: fault.maxUnflushed, onProgress };
              const run = new Rebuild(events, store, fault.projections, pausable, options).run();
              rebuild = settle(run).finally(() => (rebuild = null));
            } else {
              store.dieAfter(fault.afterCalls);
              // Let the doomed process run on until it dies, then restart on the same file.
              await new Promise((resolve) => setTimeout(resolve, 1 + (fault.afterCalls % 7)));
              store.dieAfter(0);
              await rebuild;
              expect(store.writesWhilePaused).toEqual([]);
              await projector.stop();
              await store.close();
              store = open();
              projector = projectorOn(store);
              await projector.start();
              stats.crashes++;
            }
          }
          await rebuild;
          expect(store.writesWhilePaused).toEqual([]);
          const head = await events.lastPosition();
          expect(await projector.waitFor(head, 20_000)).toBe(true);
          expect(projector.status.state).toBe('live');
          await projector.stop();
          await store.close();

          const log = await events.readAll();
          const streams = expectWellFormedLog(log);
          const live = await persistedSnapshot(files.live);
          const rebuilt = await rebuiltSnapshot(events, files.oracle);
          expect(live.checkpoint).toBe(head);
          expect(live.parked).toEqual([]);
          expectProfilesCoverLog(rebuilt, streams);
          expectSameReadModels(live.snapshot, rebuilt);
          stats.runs++;
          stats.events += log.length;
        } finally {
          await projector.stop();
          await store.close();
          await events.close();
          rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 8, endOnFailure: process.env.CRM_PROPERTY_SHRINK !== '1' },
    );
    if (process.env.CRM_PROPERTY_STATS) console.log(stats);
    // Not vacuous: rebuilds switched in, others failed or died midway, the process crashed.
    expect(stats.events / stats.runs).toBeGreaterThan(1000);
    expect(stats.rebuiltDone).toBeGreaterThan(0);
    expect(stats.rebuiltFailed + stats.crashes).toBeGreaterThan(0);
  }, 60_000);

  it('a rebuild switched in while the live projector recovers from a failed commit: the projector stays paused until the switch is done', async () => {
    const { root, events, store, projector, append, close } = oneCustomer('crm-rebuild-recovery-', 1);
    const contact = { channel: 'phone', direction: 'outbound', outcome: 'reached' };
    try {
      await projector.start();
      expect(await projector.waitFor(await append('CustomerAcquired', { name: 'A', channel: 'web', type: 'consumer', tags: [] }), 5_000)).toBe(true);

      // The live projector's next commit fails; recovering, it reads its checkpoint (slowly, as over a network).
      const recovering = gate();
      store.beforeReadCheckpoint = recovering.hold;
      store.failNextCommits();
      await append('CustomerContacted', contact);
      await recovering.reached;

      // Meanwhile a rebuild pauses the live projector and switches in. Just before the switch, the
      // recovery completes and a new event arrives: the paused projector must leave it for later.
      let seenWhilePaused = false;
      store.beforeRename = async () => {
        recovering.release();
        const position = await append('CustomerContacted', { ...contact, outcome: 'no-answer' });
        seenWhilePaused = await projector.waitFor(position, 200);
      };
      const progress = await new Rebuild(events, store, READ_MODEL_PROJECTIONS, projector).run();
      expect(progress.phase).toBe('done');
      expect(seenWhilePaused).toBe(false);

      // Resumed, it follows on from its checkpoint; the next event still fits the profile's revision.
      expect(await projector.waitFor(await append('PurchaseRecorded', { orderId: 'o1', amountMinor: 100, currency: 'CNY' }), 5_000)).toBe(true);
      expect(projector.status).toMatchObject({ state: 'live', parked: [] });
      await projector.stop();
      await store.close();
      const live = await persistedSnapshot(join(root, 'read-models.db'));
      expect(live.parked).toEqual([]);
      expectSameReadModels(live.snapshot, await rebuiltSnapshot(events, join(root, 'oracle.db')));
    } finally {
      await close();
    }
  });

  it('a batch that fails while pause() waits for it is folded again after resume(), not skipped', async () => {
    const { root, events, store, projector, append, close } = oneCustomer('crm-pause-failed-batch-', 2);
    try {
      await projector.start();
      expect(await projector.waitFor(await append('CustomerAcquired', { name: 'A', channel: 'web', type: 'consumer', tags: [] }), 5_000)).toBe(true);

      // The next batch's commit waits, and will fail; a pause (as a rebuild's switch does) comes in meanwhile.
      const committing = gate();
      store.beforeLiveCommit = committing.hold;
      store.failNextCommits();
      const contacted = await append('CustomerContacted', { channel: 'phone', direction: 'outbound', outcome: 'reached' });
      await committing.reached;
      const pausing = projector.pause();
      committing.release();
      await pausing;

      projector.resume();
      expect(await projector.waitFor(contacted, 5_000)).toBe(true);
      expect(projector.status).toMatchObject({ state: 'live', parked: [] });
      await projector.stop();
      await store.close();
      const live = await persistedSnapshot(join(root, 'read-models.db'));
      expectSameReadModels(live.snapshot, await rebuiltSnapshot(events, join(root, 'oracle.db')));
    } finally {
      await close();
    }
  });
});
