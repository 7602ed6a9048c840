import { startTestApi, type TestApi } from '../support/api-harness';
import { expectApiError, failedFields } from '../support/api-client';
import { after, before, HOUR_MS, read, readOk, Writer } from '../support/read-client';
import { TestClock } from '../support/test-clock';

const Q = '2026-06-01T00:00:00.000Z';

/**
 * KPIs at Q (window: the 365 days before asOf; "active": a purchase or contact in the last 90 days).
 * Everyone but K7 was acquired on 2025-12-01, inside the window.
 *
 *   K1  purchase Q-10d; csat 5 nps 10 at Q-20d; complaint filed Q-30d, resolved 12 h later
 *   K2  contact Q-50d; csat 1 at Q-100d, then csat 3 nps 9 at Q-10d; complaint resolved after 48 h (filed Q-40d)
 *   K3  purchase Q-120d; nps 4 at Q-60d; complaint resolved after 30 h (filed Q-70d); complaint open since Q-5d
 *   K4  purchase Q-40d; churned Q-30d
 *   K5  purchase Q-5d; csat 1 nps 0 at Q-5d; complaint open since Q-3d; one resolved after 1 h (filed Q-20d); then erased
 *   K6  contact Q-100d; nps 7 at Q-50d; complaint open since Q-3d
 *   K7  acquired 2024-10-01, complaint resolved after 240 h in Dec 2024, churned 2025-01-01: before the window
 *   K8  churned Q-60d, reactivated Q-20d
 */
describe('GET /v1/kpis', () => {
  const clock = new TestClock(Q);
  let api: TestApi;
  let w: Writer;
  const c: Record<string, string> = {};

  const kpis = (asOf?: string) => readOk(api, asOf ? `/v1/kpis?asOf=${encodeURIComponent(asOf)}` : '/v1/kpis', { minPosition: w.position });
  const values = ({ asOf: _a, position: _p, ...rest }: Record<string, any>) => rest;
  const d = (days: number, hours = 0) => before(Q, days, -hours * HOUR_MS);

  beforeAll(async () => {
    api = await startTestApi({ clock });
    w = new Writer(api);
    for (const k of ['K1', 'K2', 'K3', 'K4', 'K5', 'K6', 'K8']) c[k] = (await w.acquire({ occurredAt: '2025-12-01T00:00:00Z' })).customerId;
    c.K7 = (await w.acquire({ occurredAt: '2024-10-01T00:00:00Z' })).customerId;

    await w.purchase(c.K1, d(10), 1_000);
    await w.feedback(c.K1, d(20), { csat: 5, nps: 10 });
    await w.complaint(c.K1, d(30), 'low', 'k1-a');
    await w.resolve(c.K1, 'k1-a', d(30, 12));

    await w.contact(c.K2, d(50));
    await w.feedback(c.K2, d(100), { csat: 1 });
    await w.feedback(c.K2, d(10), { csat: 3, nps: 9 });
    await w.complaint(c.K2, d(40), 'medium', 'k2-a');
    await w.resolve(c.K2, 'k2-a', d(40, 48));

    await w.purchase(c.K3, d(120), 1_000);
    await w.feedback(c.K3, d(60), { nps: 4 });
    await w.complaint(c.K3, d(70), 'low', 'k3-a');
    await w.resolve(c.K3, 'k3-a', d(70, 30));
    await w.complaint(c.K3, d(5), 'low', 'k3-b');

    await w.purchase(c.K4, d(40), 1_000);
    await w.churn(c.K4, d(30));

    await w.purchase(c.K5, d(5), 1_000);
    await w.feedback(c.K5, d(5), { csat: 1, nps: 0 });
    await w.complaint(c.K5, d(3), 'high', 'k5-a');
    await w.complaint(c.K5, d(20), 'low', 'k5-b');
    await w.resolve(c.K5, 'k5-b', d(20, 1));

    await w.contact(c.K6, d(100));
    await w.feedback(c.K6, d(50), { nps: 7 });
    await w.complaint(c.K6, d(3), 'low', 'k6-a');

    await w.complaint(c.K7, '2024-12-01T00:00:00Z', 'low', 'k7-a');
    await w.resolve(c.K7, 'k7-a', '2024-12-11T00:00:00Z');
    await w.churn(c.K7, '2025-01-01T00:00:00Z');

    await w.churn(c.K8, d(60));
    await w.reactivate(c.K8, d(20));
  });
  afterAll(() => api.destroy());

  it('computes every KPI by hand, and drops an erased customer from all of them', async () => {
    const live = await kpis(Q);
    expect(live.asOf).toBe(Q);
    expect(live.position).toBeGreaterThanOrEqual(w.position);
    expect(values(live)).toEqual({
      managedCustomers: 6, // K1 K2 K3 K5 K6 K8
      activeCustomers: 3, // K1 (purchase), K2 (contact), K5 (purchase)
      churnRate: expect.closeTo(1 / 7, 10), // K4 lost, of the 7 live at some point of the window (not K7)
      csatMean: 3, // K1 5, K2 3 (its latest), K5 1
      nps: 0, // promoters K1 K2, detractors K3 K5, passive K6
      openComplaints: 3, // K3, K5, K6
      medianResolutionHours: 21, // 1, 12, 30, 48 (K7's 240 h lies before the window)
    });

    await w.erase(c.K5);
    const erased = await kpis(Q);
    expect(values(erased)).toEqual({
      managedCustomers: 5,
      activeCustomers: 2,
      churnRate: expect.closeTo(1 / 6, 10),
      csatMean: 4,
      nps: 25,
      openComplaints: 2,
      medianResolutionHours: 30,
    });
  });

  it('is computed as of a past time: later events do not count', async () => {
    // At Q-45d: K4 has not churned yet (live), K8 is churned (reactivated only later); K1's purchase,
    // K2's later feedback and every complaint but K3's first lie in the future.
    const past = await kpis(d(45));
    expect(past.asOf).toBe(d(45));
    expect(values(past)).toEqual({
      managedCustomers: 5, // K1 K2 K3 K4 K6
      activeCustomers: 3, // K2 contact 5 days before, K3 purchase 75 days before, K6 contact 55 days before
      churnRate: expect.closeTo(1 / 6, 10), // K8 lost
      csatMean: 1, // only K2's first answer
      nps: -50, // K3 detractor, K6 passive
      openComplaints: 0,
      medianResolutionHours: 30,
    });
  });

  it('defaults asOf to now (the server clock) and carries the position', async () => {
    const now = await kpis();
    expect(now.asOf).toBe(Q);
    expect(values(now)).toEqual(values(await kpis(Q)));
  });

  it('has nothing to count before anyone was acquired', async () => {
    expect(values(await kpis('2024-01-01T00:00:00Z'))).toEqual({
      managedCustomers: 0,
      activeCustomers: 0,
      churnRate: 0,
      csatMean: null,
      nps: null,
      openComplaints: 0,
      medianResolutionHours: null,
    });
  });

  it('refuses a malformed asOf with 400, and other roles than analyst/admin with 403', async () => {
    const res = await read(api, '/v1/kpis?asOf=last-week');
    expectApiError(res, 400, 'VALIDATION_FAILED');
    expect(failedFields(res)).toEqual(['asOf']);
    for (const role of ['auditor', 'service'] as const) expectApiError(await read(api, '/v1/kpis', { role }), 403, 'FORBIDDEN');
  });
});

/**
 * Follow-ups at Q, by owner:
 *   FU1 u-ann  due Q-2d (follow-up-needed)          overdue
 *   FU2 u-ann  due Q+3d                             pending
 *   FU3 u-bob  due Q-5d                             overdue
 *   FU4 u-bob  due Q-1d, settled by a later contact  -
 *   FU5 u-bob  due Q-3d, then churned               -
 *   FU6 none   follow-up-needed without a date at Q-4d: due at once, overdue
 *   FU7 u-ann, reassigned to u-cid; due Q-6d        overdue
 *   FU8 u-ann  never contacted                      -
 */
describe('GET /v1/follow-ups', () => {
  const clock = new TestClock(Q);
  let api: TestApi;
  let w: Writer;
  const c: Record<string, string> = {};
  const label = new Map<string, string>();

  const followUps = (query: string) => readOk(api, `/v1/follow-ups${query}`, { minPosition: w.position });
  const labelsOf = (body: Record<string, any>) => body.items.map((i: { customerId: string }) => label.get(i.customerId));

  beforeAll(async () => {
    api = await startTestApi({ clock });
    w = new Writer(api);
    const acquire = async (name: string, ownerId?: string) => {
      c[name] = (await w.acquire({ occurredAt: '2026-01-01T00:00:00Z', ...(ownerId && { ownerId }) })).customerId;
      label.set(c[name], name);
    };
    await acquire('FU1', 'u-ann');
    await acquire('FU2', 'u-ann');
    await acquire('FU3', 'u-bob');
    await acquire('FU4', 'u-bob');
    await acquire('FU5', 'u-bob');
    await acquire('FU6');
    await acquire('FU7', 'u-ann');
    await acquire('FU8', 'u-ann');
    await w.contact(c.FU1, before(Q, 10), { outcome: 'follow-up-needed', nextFollowUpAt: before(Q, 2) });
    await w.contact(c.FU2, before(Q, 9), { nextFollowUpAt: after(Q, 3) });
    await w.contact(c.FU3, before(Q, 8), { outcome: 'follow-up-needed', nextFollowUpAt: before(Q, 5) });
    await w.contact(c.FU4, before(Q, 9), { nextFollowUpAt: before(Q, 1) });
    await w.contact(c.FU4, before(Q, 0, 12 * HOUR_MS), { outcome: 'reached' });
    await w.contact(c.FU5, before(Q, 8), { nextFollowUpAt: before(Q, 3) });
    await w.churn(c.FU5, before(Q, 1));
    await w.contact(c.FU6, before(Q, 4), { outcome: 'follow-up-needed' });
    await w.contact(c.FU7, before(Q, 7), { nextFollowUpAt: before(Q, 6) });
    await w.assignOwner(c.FU7, 'u-cid');
  });
  afterAll(() => api.destroy());

  it('lists the overdue follow-ups, soonest first, with the count per owner', async () => {
    const body = await followUps(`?overdue=true&asOf=${encodeURIComponent(Q)}`);
    expect(body.position).toBeGreaterThanOrEqual(w.position);
    expect(labelsOf(body)).toEqual(['FU7', 'FU3', 'FU6', 'FU1']);
    expect(body.overdueByOwner).toEqual({ 'u-cid': 1, 'u-bob': 1, unassigned: 1, 'u-ann': 1 });
    expect(body.items[0]).toMatchObject({ customerId: c.FU7, ownerId: 'u-cid', dueAt: before(Q, 6), overdue: true });
    expect(body.items[2]).toMatchObject({ customerId: c.FU6, ownerId: null, dueAt: before(Q, 4), overdue: true, lastOutcome: 'follow-up-needed' });
  });

  it('without overdue=true lists every pending follow-up, the ones not yet due marked so', async () => {
    const body = await followUps(`?asOf=${encodeURIComponent(Q)}`);
    expect(labelsOf(body)).toEqual(['FU7', 'FU3', 'FU6', 'FU1', 'FU2']);
    expect(body.items.map((i: { overdue: boolean }) => i.overdue)).toEqual([true, true, true, true, false]);
    expect(body.items[4]).toMatchObject({ customerId: c.FU2, ownerId: 'u-ann', dueAt: after(Q, 3) });
  });

  it('filters by owner', async () => {
    expect(labelsOf(await followUps(`?ownerId=u-bob&overdue=true&asOf=${encodeURIComponent(Q)}`))).toEqual(['FU3']);
    expect(labelsOf(await followUps('?ownerId=u-ann'))).toEqual(['FU1', 'FU2']);
    expect(labelsOf(await followUps('?ownerId=u-ann&overdue=true'))).toEqual(['FU1']);
    expect(labelsOf(await followUps('?ownerId=u-cid'))).toEqual(['FU7']);
    expect(labelsOf(await followUps('?ownerId=u-nobody'))).toEqual([]);
  });

  it('judges "overdue" as of asOf, now by default', async () => {
    expect(labelsOf(await followUps(`?overdue=true&asOf=${encodeURIComponent(before(Q, 3))}`))).toEqual(['FU7', 'FU3', 'FU6']);
    expect(labelsOf(await followUps(`?overdue=true&asOf=${encodeURIComponent(after(Q, 4))}`))).toEqual(['FU7', 'FU3', 'FU6', 'FU1', 'FU2']);
    expect(labelsOf(await followUps('?overdue=true'))).toEqual(['FU7', 'FU3', 'FU6', 'FU1']);
  });

  it('a later contact settles a follow-up; a churned customer has none until reactivated', async () => {
    const all = labelsOf(await followUps(`?asOf=${encodeURIComponent(after(Q, 30))}`));
    expect(all).not.toContain('FU4');
    expect(all).not.toContain('FU5');
    expect(all).not.toContain('FU8');

    await w.contact(c.FU1, before(Q, 0, HOUR_MS), { outcome: 'reached' });
    await w.reactivate(c.FU5, before(Q, 0, HOUR_MS));
    const body = await followUps(`?overdue=true&asOf=${encodeURIComponent(Q)}`);
    expect(labelsOf(body)).toEqual(['FU7', 'FU3', 'FU6', 'FU5']);
    expect(body.overdueByOwner).toEqual({ 'u-cid': 1, 'u-bob': 2, unassigned: 1 });
  });

  it('refuses bad parameters with 400, and other roles than analyst/admin with 403', async () => {
    for (const [query, field] of [
      ['overdue=yes', 'overdue'],
      ['asOf=soon', 'asOf'],
      ['ownerId=', 'ownerId'],
    ]) {
      const res = await read(api, `/v1/follow-ups?${query}`);
      expectApiError(res, 400, 'VALIDATION_FAILED');
      expect(failedFields(res)).toEqual([field]);
    }
    for (const role of ['auditor', 'service'] as const) expectApiError(await read(api, '/v1/follow-ups', { role }), 403, 'FORBIDDEN');
  });
});
