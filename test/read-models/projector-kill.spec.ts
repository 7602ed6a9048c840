import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RecordedEvent, SqliteEventStore } from '@crm/event-store';
import { buildServer, type CrmServer, startCrmServer } from '../support/crm-server';
import { expectAcknowledgedInLog, HttpWorkload, type Make, type Step, stepArb, WORKLOAD_API_KEYS, WORKLOAD_KEYS } from '../support/customer-workload';
import {
  expectProfilesCoverLog,
  expectSameReadModels,
  expectWellFormedLog,
  persistedSnapshot,
  rebuiltSnapshot,
  type ReadModelSnapshot,
  snapshotOf,
} from '../support/read-model-consistency';
import { EmbeddedDocumentStore, ProjectionWorker, READ_MODEL_PROJECTIONS } from '../support/read-models';

/*
 * The embedded server (API and projector in one process) under a randomized workload over HTTP,
 * killed with SIGKILL several times (at least once while the projector is behind the log) and
 * restarted on the same data folder. At every kill the read-model file must hold exactly the read
 * models of the events up to its checkpoint; at the end, after a clean stop, exactly a rebuild of
 * the whole log. Every command acknowledged before a kill must be in the log, with no revision gap.
 */

type KillMode =
  /** Once the segment's commands are acknowledged, kill at once: the projector often still has the last ones to do. */
  | 'after-burst'
  /** Kill with commands in flight, after some of the segment's commands were acknowledged. */
  | 'in-flight'
  /** Poll GET /v1/projections while commands pour in and kill the moment it shows a lag: mid-projection. */
  | 'lagging';

interface Kill {
  mode: KillMode;
  /** Commands acknowledged in this segment before the kill (or before watching for a lag). */
  acks: number;
}

interface Plan {
  customers: number;
  concurrency: number;
  steps: Step[];
  kills: Kill[];
  /**
   * CRM_PROJECTOR_BATCH_SIZE of each start. The first is 1: committing event by event, the projector
   * falls behind the command load, so the first kill ('lagging') lands mid-projection for sure.
   */
  batchSizes: number[];
}

const killArb = (mode: fc.Arbitrary<KillMode>) => fc.record({ mode, acks: fc.integer({ min: 150, max: 600 }) });

const planArb: fc.Arbitrary<Plan> = fc
  .record({
    customers: fc.integer({ min: 30, max: 45 }),
    concurrency: fc.integer({ min: 16, max: 48 }),
    steps: fc.array(stepArb, { minLength: 3400, maxLength: 3800 }),
    kills: fc
      .tuple(killArb(fc.constant('lagging')), fc.array(killArb(fc.constantFrom('lagging', 'in-flight', 'after-burst')), { minLength: 3, maxLength: 4 }))
      .map(([first, rest]) => [first, ...rest]),
    batchSizes: fc.array(fc.constantFrom(1, 7, 1000), { minLength: 5, maxLength: 5 }).map(([, ...rest]) => [1, ...rest]),
  })
  .map((p) =>
    Object.assign(p, {
      [fc.toStringMethod]: () =>
        `Plan(${p.customers} customers, ${p.steps.length} steps, concurrency ${p.concurrency}, kills ${JSON.stringify(p.kills)}, batch sizes ${p.batchSizes})`,
    }),
  );

interface KillRecord {
  mode: KillMode;
  lagSeen: number | null;
  /** The read models' committed position and the log's head, read from the files after the kill. */
  checkpoint: number;
  head: number;
  acked: number;
}

async function projectionLag(server: CrmServer): Promise<{ lag: number; head: number; positions: number[]; states: string[] }> {
  const res = await fetch(`${server.url}/v1/projections`, { headers: { authorization: `Bearer ${WORKLOAD_KEYS.analyst}` } });
  expect(res.status).toBe(200);
  const { projections } = (await res.json()) as { projections: { position: number; head: number; lagEvents: number; status: string }[] };
  return {
    lag: Math.max(...projections.map((p) => p.lagEvents)),
    head: Math.max(...projections.map((p) => p.head)),
    positions: projections.map((p) => p.position),
    states: projections.map((p) => p.status),
  };
}

/**
 * Sends commands and kills the server as the plan says (SIGKILL); resolves once it is dead and every
 * request has settled. Triggers count acknowledgements, not time, so a slow machine changes nothing.
 */
async function segmentThenKill(server: CrmServer, workload: HttpWorkload, queue: Make[], kill: Kill): Promise<number | null> {
  const target = workload.acks.length + kill.acks;
  let killed = false;
  let lagSeen: number | null = null;
  const acked = () => workload.acks.length >= target;
  // after-burst: the burst is the next `acks` commands, sent together; the others stop at the kill.
  const pumping = kill.mode === 'after-burst' ? workload.pump(server.url, queue.splice(0, Math.ceil(kill.acks * 1.3)), () => killed) : workload.pump(server.url, queue, () => killed);
  let drained = false;
  void pumping.then(() => (drained = true));
  const until = async (condition: () => boolean) => {
    while (!condition() && !drained) await new Promise((r) => setTimeout(r, 1));
  };
  if (kill.mode === 'after-burst') {
    await pumping;
  } else if (kill.mode === 'in-flight') {
    await until(acked);
  } else {
    await until(acked);
    // Watch the projector while commands keep pouring in; kill it the moment it is seen behind.
    for (let polls = 0; lagSeen === null && polls < 500 && !drained; polls++) {
      const { lag } = await projectionLag(server).catch(() => ({ lag: 0 }));
      if (lag > 0) lagSeen = lag;
    }
  }
  killed = true;
  await server.kill();
  await pumping;
  return lagSeen;
}

/** The read models the live projector should hold at `checkpoint`: the log up to there, folded from nothing. */
async function foldedUpTo(log: readonly RecordedEvent[], checkpoint: number, file: string): Promise<ReadModelSnapshot> {
  const store = new EmbeddedDocumentStore(file);
  try {
    const worker = new ProjectionWorker(store, READ_MODEL_PROJECTIONS.map((projection) => ({ projection, collection: projection.collection })), 'expected');
    await worker.start();
    const prefix = log.filter((e) => e.position <= checkpoint);
    expect(await worker.apply(prefix, () => new Date().toISOString())).toEqual([]);
    await worker.flush();
    return await snapshotOf(store);
  } finally {
    await store.close();
    rmSync(file, { force: true });
  }
}

describe('read models after kill -9 of the embedded server (API + projector)', () => {
  let build: string;
  let dir: string;

  beforeAll(() => {
    build = buildServer();
    dir = mkdtempSync(join(tmpdir(), 'crm-projector-kill-'));
  }, 60_000);
  afterAll(() => {
    if (build) rmSync(build, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('equal a from-scratch rebuild after random kills and restarts, and lose no acknowledged command', async () => {
    await fc.assert(
      fc.asyncProperty(planArb, async (plan) => {
        const dataDir = mkdtempSync(join(dir, 'data-'));
        const files = { events: join(dataDir, 'events.db'), readModels: join(dataDir, 'read-models.db'), scratch: join(dir, `expected-${randomUUID()}.db`) };
        let starts = 0;
        const start = () =>
          startCrmServer(build, { CRM_DATA_DIR: dataDir, CRM_API_KEYS: WORKLOAD_API_KEYS, CRM_PROJECTOR_BATCH_SIZE: String(plan.batchSizes[starts++ % plan.batchSizes.length]) });
        const workload = new HttpWorkload(plan.customers, plan.steps, plan.concurrency);
        const kills: KillRecord[] = [];
        const t0 = Date.now();
        const mark = (what: string) => process.env.CRM_KILL_STATS && console.log(`${Date.now() - t0} ms ${what} acks=${workload.acks.length}`);
        let server = await start();
        mark('started');
        try {
          await workload.pump(server.url, workload.acquisitions(), () => false);
          const queue = workload.commands();

          for (const kill of plan.kills) {
            const acked = workload.acks.length;
            const lagSeen = await segmentThenKill(server, workload, queue, kill);
            mark(`killed ${kill.mode}`);

            // Dead: read the files as the next start will find them.
            const events = new SqliteEventStore(files.events);
            try {
              const log = await events.readAll();
              const streams = expectWellFormedLog(log);
              expectAcknowledgedInLog(workload, log, streams);
              const persisted = await persistedSnapshot(files.readModels);
              const checkpoint = persisted.checkpoint ?? 0;
              expectSameReadModels(persisted.snapshot, await foldedUpTo(log, checkpoint, files.scratch));
              kills.push({ mode: kill.mode, lagSeen, checkpoint, head: log.at(-1)?.position ?? 0, acked: workload.acks.length - acked });
            } finally {
              await events.close();
            }
            mark('checked');
            server = await start();
            mark('restarted');
          }

          await workload.pump(server.url, queue, () => false);
          // Caught up: every read model at the head of the log, live.
          for (const deadline = Date.now() + 30_000; ; ) {
            const status = await projectionLag(server);
            if (status.lag === 0 && status.positions.every((p) => p === status.head) && status.states.every((s) => s === 'live')) break;
            if (Date.now() > deadline) throw new Error(`The projector did not catch up: ${JSON.stringify(status)}`);
            await new Promise((r) => setTimeout(r, 50));
          }
          // Nest closes the app on SIGTERM, then raises the signal again: either way is a clean exit.
          expect([JSON.stringify({ code: 0, signal: null }), JSON.stringify({ code: null, signal: 'SIGTERM' })]).toContain(JSON.stringify(await server.stop()));

          const events = new SqliteEventStore(files.events);
          try {
            const log = await events.readAll();
            const streams = expectWellFormedLog(log);
            expectAcknowledgedInLog(workload, log, streams);
            const persisted = await persistedSnapshot(files.readModels);
            expect(persisted.checkpoint).toBe(log.at(-1)!.position);
            expect(persisted.parked).toEqual([]);
            const rebuilt = await rebuiltSnapshot(events, files.scratch);
            expectProfilesCoverLog(rebuilt, streams);
            expectSameReadModels(persisted.snapshot, rebuilt);

            expect(workload.unexpected).toEqual([]);
            if (process.env.CRM_KILL_STATS) console.log({ events: log.length, acks: countBy(workload.acks.map((a) => a.type)), types: countBy(log.map((e) => e.type)), refused: workload.refusals, kills });
            // Not vacuous: thousands of events, every kill after acknowledged commands, one at least mid-projection.
            expect(log.length).toBeGreaterThan(2000);
            expect(kills.every((k) => k.acked > 0)).toBe(true);
            expect(kills.some((k) => k.checkpoint < k.head)).toBe(true);
          } finally {
            await events.close();
          }
        } finally {
          await server.kill();
          rmSync(dataDir, { recursive: true, force: true });
          rmSync(files.scratch, { force: true });
        }
      }),
      { numRuns: 1, endOnFailure: true },
    );
  }, 120_000);
});

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
