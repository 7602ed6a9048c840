import { randomUUID } from 'node:crypto';
import { EVENT_STORE, type EventStore, type ReadAllOptions } from '@crm/event-store';
import { DOCUMENT_STORE, type DocumentStore, type Pausable, READ_SIDE, ReadSide } from '@crm/read-models';
import { KAFKA_PROJECTOR, WorkerReadSide } from '@crm/platform';
import { until } from '@crm/testing';
import { startTestApi, testStack, type TestApi } from '../support/api-harness';
import { expectApiError } from '../support/api-client';
import { allPages, before, inBatches, read, readOk, Writer } from '../support/read-client';
import { TestClock } from '../support/test-clock';
import { eventMetadata } from '../../libs/messaging/src/testing/event-fixtures';

const NOW = '2026-06-01T00:00:00.000Z';
/** Every business time of the set-up lies at or before PINNED; customers acquired during a rebuild lie after it. */
const PINNED = before(NOW, 0.5);
const READ_MODELS = ['profiles', 'timelines', 'funnel', 'follow-ups'];
const CUSTOMERS = 300;
/** On Kafka and MongoDB a rebuild of the set-up takes seconds rather than a fraction of one. */
const SLOW = testStack() === 'servers' ? 6 : 1;

type Json = Record<string, any>;
const withoutPosition = ({ position: _, ...rest }: Json) => rest;

describe('read-model projections: status and rebuilds', () => {
  const clock = new TestClock(NOW);
  let api: TestApi;
  let w: Writer;
  let ids: string[];

  const status = async (role: 'analyst' | 'admin' | 'service' | 'auditor' = 'analyst') =>
    (await readOk(api, '/v1/projections', { role })).projections as Json[];
  const rebuild = (name: string, role: 'admin' | 'analyst' | 'service' | 'auditor' = 'admin') =>
    api.http().post(`/v1/projections/${name}/rebuild`).set(api.auth(role));

  /** Polls until no read model is rebuilding and the last rebuild of each named one has ended. */
  async function rebuildEnded(names = READ_MODELS): Promise<Json[]> {
    for (const deadline = Date.now() + 10_000 * SLOW; Date.now() < deadline; ) {
      const projections = await status();
      const ended = projections.filter((p) => names.includes(p.name)).every((p) => p.status !== 'rebuilding' && ['done', 'failed'].includes(p.rebuild?.phase));
      if (ended) return projections;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('the rebuild did not end');
  }

  /** Everything analysts can read, as of PINNED where the read model takes an asOf; positions left out. */
  async function readModels() {
    const profiles = (await allPages(api, '/v1/profiles?limit=500')).items.map(withoutPosition);
    return {
      profiles: profiles.filter((p) => ids.includes(p.customerId)),
      segments: withoutPosition(await readOk(api, `/v1/segments?asOf=${PINNED}`)),
      kpis: withoutPosition(await readOk(api, `/v1/kpis?asOf=${PINNED}`)),
      funnel: withoutPosition(await readOk(api, '/v1/funnels/lifecycle?from=2025-01&to=2026-05')),
      followUps: withoutPosition(await readOk(api, `/v1/follow-ups?asOf=${PINNED}`)),
    };
  }

  beforeAll(async () => {
    api = await startTestApi({ clock });
    w = new Writer(api);
    const channels = ['web', 'referral', 'ads', 'event', 'partner'];
    // About 2000 events: acquisitions over a year, purchases, contacts, feedback, complaints, some churn.
    ids = await inBatches(CUSTOMERS, 8, async (i) => {
      const { customerId } = await w.acquire({
        occurredAt: before(NOW, 380 - (i % 12) * 30),
        channel: channels[i % 5],
        ownerId: `u-${i % 4}`,
        region: ['east', 'west', 'north'][i % 3],
      });
      for (let k = 0; k <= i % 4; k++) await w.purchase(customerId, before(NOW, 5 + ((i * 13 + k * 29) % 45)), 500 + ((i * 37) % 1000) * 10 + k);
      await w.contact(customerId, before(NOW, 2 + (i % 120)), i % 6 === 1 ? { outcome: 'follow-up-needed', nextFollowUpAt: before(NOW, 1) } : {});
      await w.contact(customerId, before(NOW, 3 + (i % 200)));
      await w.feedback(customerId, before(NOW, 3), { csat: 1 + (i % 5), nps: i % 11 });
      if (i % 5 === 0) await w.complaint(customerId, before(NOW, 4), i % 10 === 0 ? 'high' : 'low');
      if (i % 17 === 0) await w.churn(customerId, before(NOW, 1));
      return customerId;
    });
    // A list read waits for every partition (a read of one profile, only for that customer's).
    await readOk(api, '/v1/profiles', { minPosition: w.position });
  }, 60_000);
  afterAll(() => api.destroy());

  it('GET /v1/projections answers every role with each read model, its position, head, lag and status', async () => {
    for (const role of ['analyst', 'admin', 'service', 'auditor'] as const) {
      const projections = await status(role);
      expect(projections.map((p) => p.name).sort()).toEqual([...READ_MODELS].sort());
      for (const p of projections) {
        expect(p).toMatchObject({ position: w.position, head: w.position, lagEvents: 0, lagSeconds: 0, status: 'live' });
      }
    }
    expectApiError(await api.http().get('/v1/projections'), 401, 'UNAUTHORIZED');
  });

  it('shows lag in events and seconds while the projector is held back', async () => {
    // The projector of this process: the in-process one, or the Kafka consumer on the servers stack.
    const readSide = api.app.get(READ_SIDE);
    // The embedded default projects on a thread of its own; these suites test that thread, not a stand-in.
    if (api.stack === 'embedded') expect(readSide).toBeInstanceOf(WorkerReadSide);
    const projector: Pausable = readSide instanceof ReadSide || readSide instanceof WorkerReadSide ? readSide.projector : api.app.get(KAFKA_PROJECTOR);
    const caughtUp = w.position;
    await projector.pause();
    try {
      const { customerId } = await w.acquire();
      await w.purchase(customerId, NOW, 1_000);
      // The clock only ever moves forward in this suite, as a real one does.
      clock.advance(30_000);
      for (const p of await status()) {
        expect(p).toMatchObject({ position: caughtUp, head: w.position, lagEvents: 2, lagSeconds: 30 });
      }
    } finally {
      projector.resume();
    }
    await readOk(api, '/v1/profiles', { minPosition: w.position });
    for (const p of await status()) expect(p).toMatchObject({ position: w.position, lagEvents: 0, lagSeconds: 0, status: 'live' });
  });

  it('POST /v1/projections/:name/rebuild is for admins: 403 for other roles, 401 without a key, 404 for an unknown name', async () => {
    for (const role of ['analyst', 'service', 'auditor'] as const) expectApiError(await rebuild('profiles', role), 403, 'FORBIDDEN');
    expectApiError(await api.http().post('/v1/projections/profiles/rebuild'), 401, 'UNAUTHORIZED');
    expectApiError(await rebuild('customers'), 404, 'PROJECTION_NOT_FOUND');
    expect((await status()).every((p) => p.rebuild === null)).toBe(true);
  });

  it('202 with the progress; a rebuild of one read model rebuilds that one from the whole log', async () => {
    const res = await rebuild('funnel');
    expect(res.status).toBe(202);
    expect(res.body.rebuild).toMatchObject({ projections: ['funnel'], finishedAt: null, error: null });
    expect(['copying', 'switching', 'done']).toContain(res.body.rebuild.phase);
    const projections = await rebuildEnded(['funnel']);
    const funnel = projections.find((p) => p.name === 'funnel')!;
    expect(funnel.rebuild).toMatchObject({ projections: ['funnel'], phase: 'done', position: w.position, head: w.position, events: w.position, error: null });
    expect(typeof funnel.rebuild.finishedAt).toBe('string');
    expect(funnel.status).toBe('live');
    for (const p of projections.filter((p) => p.name !== 'funnel')) expect(p.rebuild).toBeNull();
  });

  it('rebuilds without downtime: queries keep answering, with the same data, while it runs; commands made meanwhile show after the switch', async () => {
    const beforeRebuild = await readModels();
    const juneBefore = (await readOk(api, '/v1/funnels/lifecycle?from=2026-06&to=2026-06')).cohorts[0].stages;
    const profilesBefore = new Map(beforeRebuild.profiles.map((p) => [p.customerId, p]));
    const phases = new Set<string>();
    const failures: string[] = [];
    const added: string[] = [];
    let state = 'before' as 'before' | 'running' | 'done';
    let answeredWhileRunning = 0;

    // Some callers watch the progress, others keep querying, one keeps sending commands.
    const watchers = [0, 1, 2].map(async () => {
      while (state !== 'done') {
        const projections = await status();
        if (projections.some((p) => p.status === 'rebuilding')) {
          state = 'running';
          for (const p of projections) if (p.rebuild) phases.add(p.rebuild.phase);
        } else if (state === 'running' && projections.every((p) => p.rebuild?.phase === 'done')) state = 'done';
      }
    });
    const queriers = ids.slice(0, 4).map(async (customerId) => {
      while (state !== 'done') {
        const profile = await read(api, `/v1/profiles/${customerId}`);
        const segments = await read(api, `/v1/segments?asOf=${PINNED}`);
        if (state === 'running') answeredWhileRunning += 2;
        if (profile.status !== 200 || segments.status !== 200) failures.push(`${profile.status} ${segments.status}`);
        else {
          if (JSON.stringify(withoutPosition(profile.body)) !== JSON.stringify(profilesBefore.get(customerId))) failures.push(`profile ${customerId} changed`);
          if (JSON.stringify(withoutPosition(segments.body)) !== JSON.stringify(beforeRebuild.segments)) failures.push('segments changed');
        }
      }
    });
    const writer = (async () => {
      while (state !== 'done') {
        const { customerId } = await w.acquire();
        await w.purchase(customerId, NOW, 4_200);
        added.push(customerId);
      }
    })();

    const res = await rebuild('all');
    expect(res.status).toBe(202);
    expect(res.body.rebuild.projections.sort()).toEqual([...READ_MODELS].sort());
    await Promise.race([Promise.all([...watchers, ...queriers, writer]), new Promise((resolve) => setTimeout(resolve, 8_000 * SLOW))]);
    const seen = state;
    state = 'done';
    await Promise.all([...watchers, ...queriers, writer]);

    // "done" is only reached after "running" was seen: the progress was visible while it ran.
    expect(seen).toBe('done');
    expect(failures).toEqual([]);
    expect([...phases].some((phase) => phase === 'copying' || phase === 'switching')).toBe(true);
    expect(answeredWhileRunning).toBeGreaterThan(0);

    const projections = await rebuildEnded();
    for (const p of projections) {
      expect(p.status).toBe('live');
      expect(p.rebuild).toMatchObject({ phase: 'done', error: null });
      expect([...p.rebuild.projections].sort()).toEqual([...READ_MODELS].sort());
    }

    await readOk(api, '/v1/profiles', { minPosition: w.position });
    expect(await readModels()).toEqual(beforeRebuild);
    expect(added.length).toBeGreaterThan(0);
    for (const customerId of added) {
      const profile = await readOk(api, `/v1/profiles/${customerId}`, { minPosition: w.position });
      expect(profile).toMatchObject({ customerId, stage: 'converted', purchaseCount: 1, totalSpendMinor: 4_200 });
    }
    const june = await readOk(api, '/v1/funnels/lifecycle?from=2026-06&to=2026-06');
    expect(june.cohorts[0].stages).toMatchObject({ acquired: juneBefore.acquired + added.length, converted: juneBefore.converted + added.length });
  }, 20_000 * SLOW);

  describe('while a rebuild is held in its copying phase', () => {
    let release: () => void = () => undefined;

    /** Holds the rebuild's reads of the log (pages of more than one event) until `release`. */
    async function holdRebuildReads(): Promise<void> {
      // The embedded default rebuilds on its read-side thread, which reads the log itself.
      const readSide = api.app.get(READ_SIDE);
      if (readSide instanceof WorkerReadSide) {
        const releaseThread = await readSide.holdRebuildReads();
        release = () => void releaseThread();
        return;
      }
      const events = api.app.get<EventStore>(EVENT_STORE);
      const readAll = events.readAll.bind(events);
      const gate = new Promise<void>((resolve) => (release = resolve));
      Object.assign(events, {
        readAll: async (options?: ReadAllOptions) => {
          if ((options?.maxCount ?? Infinity) > 1) await gate;
          return readAll(options);
        },
      });
    }

    afterEach(async () => {
      release();
      delete (api.app.get<EventStore>(EVENT_STORE) as unknown as Record<string, unknown>).readAll;
      await rebuildEnded();
    });

    it('shows "rebuilding", refuses a second rebuild with 409 REBUILD_IN_PROGRESS, serves queries and commands, then switches', async () => {
      const beforeRebuild = await readModels();
      await holdRebuildReads();
      const started = await rebuild('all');
      expect(started.status).toBe(202);

      const during = await status();
      for (const p of during) expect(p).toMatchObject({ status: 'rebuilding', rebuild: { phase: 'copying', finishedAt: null } });
      expectApiError(await rebuild('profiles'), 409, 'REBUILD_IN_PROGRESS');
      expectApiError(await rebuild('all'), 409, 'REBUILD_IN_PROGRESS');

      expect(await readModels()).toEqual(beforeRebuild);
      const { customerId } = await w.acquire();
      const bought = await w.purchase(customerId, NOW, 7_700);
      expect((await readOk(api, `/v1/profiles/${customerId}`, { minPosition: bought.position })).purchaseCount).toBe(1);
      expect((await status()).every((p) => p.status === 'rebuilding')).toBe(true);

      release();
      const projections = await rebuildEnded();
      for (const p of projections) expect(p).toMatchObject({ status: 'live', rebuild: { phase: 'done', position: w.position, head: w.position } });
      expect(await readModels()).toEqual(beforeRebuild);
      expect(await readOk(api, `/v1/profiles/${customerId}`, { minPosition: w.position })).toMatchObject({ purchaseCount: 1, totalSpendMinor: 7_700, revision: bought.revision });
    });
  });

  it('a rebuild repairs a damaged read model (it is built from the log, not copied)', async () => {
    const customerId = ids[7];
    const good = await readOk(api, `/v1/profiles/${customerId}`, { minPosition: w.position });
    const docs = api.app.get<DocumentStore>(DOCUMENT_STORE);
    const stored = await docs.findOne<Json & { _id: string; revision: number }>('profiles', { _id: customerId });
    await docs.commit([{ collection: 'profiles', doc: { ...stored!, totalSpendMinor: 1, purchaseCount: 99, revision: stored!.revision + 1 } }]);
    expect((await readOk(api, `/v1/profiles/${customerId}`)).purchaseCount).toBe(99);

    expect((await rebuild('profiles')).status).toBe(202);
    await rebuildEnded(['profiles']);
    expect(withoutPosition(await readOk(api, `/v1/profiles/${customerId}`))).toEqual(withoutPosition(good));
  });
});

describe('read-model projections: a parked customer', () => {
  it('is listed with its reason and the read models report "degraded", while other customers flow on', async () => {
    const api = await startTestApi({ clock: new TestClock(NOW) });
    try {
      const w = new Writer(api);
      const { customerId: poisoned } = await w.acquire();
      // An event this code does not know (written by a newer version, say): its customer cannot be folded further.
      const eventId = randomUUID();
      const at = new Date(NOW).toISOString();
      const metadata = eventMetadata(eventId, { occurredAt: at, recordedAt: at });
      await api.app.get<EventStore>(EVENT_STORE).append(`customer-${poisoned}`, [{ eventId, type: 'LoyaltyPointsGranted', data: { customerId: poisoned, points: 5 }, metadata }], 0);
      const { customerId: other } = await w.acquire();
      await w.purchase(other, before(NOW, 1), 1_000);
      expect(await readOk(api, `/v1/profiles/${other}`, { minPosition: w.position })).toMatchObject({ purchaseCount: 1 });

      const parked = await until(async () => {
        const { projections } = await readOk(api, '/v1/projections');
        return (projections as Json[]).every((p) => p.parkedCustomers === 1) ? (projections as Json[]) : undefined;
      }, 'the customer to be parked', 10_000 * SLOW, 20);
      for (const p of parked) {
        expect(p).toMatchObject({ status: 'degraded', parkedCustomers: 1, parked: [{ customerId: poisoned, reason: expect.stringContaining('LoyaltyPointsGranted') }] });
      }
      expect(await readOk(api, `/v1/profiles/${poisoned}`)).toMatchObject({ revision: 0 });
    } finally {
      await api.destroy();
    }
  }, 60_000);
});
