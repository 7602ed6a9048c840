import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../support/api-harness';
import { expectApiError, failedFields } from '../support/api-client';
import { allPages, before, read, readOk, Writer } from '../support/read-client';
import { TestClock } from '../support/test-clock';

const SPEC_FIELDS = [
  'customerId',
  'stage',
  'type',
  'channel',
  'region',
  'ownerId',
  'tags',
  'acquiredAt',
  'purchaseCount',
  'totalSpendMinor',
  'lastPurchaseAt',
  'lastContactAt',
  'nextFollowUpAt',
  'openComplaints',
  'csatLast',
  'npsLast',
  'churnRisk',
  'revision',
  'position',
];

/** Personal values (and free text) must never be in a read-model reply, in any form. */
function expectNoPersonalData(body: unknown, needles: string[]): void {
  const text = JSON.stringify(body);
  expect(needles.filter((n) => text.toLowerCase().includes(n.toLowerCase()))).toEqual([]);
}

describe('GET /v1/profiles/:id', () => {
  const NOW = '2026-03-10T12:00:00.000Z';
  const clock = new TestClock(NOW);
  let api: TestApi;
  let w: Writer;

  beforeAll(async () => {
    api = await startTestApi({ clock });
    w = new Writer(api);
  });
  afterAll(() => api.destroy());
  afterEach(() => clock.set(NOW));

  /** A customer taken through most commands at known business times; returns what was sent. */
  async function knownCustomer() {
    const token = randomUUID().slice(0, 8);
    const text = {
      summary: `talked about the banquet ${token}`,
      description: `driver shouted at gate ${token}`,
      resolution: `apologised with vouchers ${token}`,
      comment: `the tea was cold ${token}`,
      laterSummary: `asked for a quote ${token}`,
    };
    const acquired = await w.acquire({
      name: `Zhao Lei ${token}`,
      channel: 'referral',
      type: 'business',
      region: 'north',
      tags: ['lead', 'b2b'],
      ownerId: 'u-alice',
      occurredAt: '2026-01-05T08:00:00Z',
    });
    const id = acquired.customerId;
    await w.contact(id, '2026-01-06T09:00:00Z', { summary: text.summary, nextFollowUpAt: '2026-01-20T09:00:00Z' });
    await w.purchase(id, '2026-01-10T10:00:00Z', 12_000, `o-1-${token}`);
    await w.purchase(id, '2026-02-01T10:00:00Z', 3_000, `o-2-${token}`);
    // The same order reported again is not a second purchase.
    const repeat = await w.purchase(id, '2026-02-03T10:00:00Z', 12_000, `o-1-${token}`);
    expect(repeat.revision).toBe(3);
    await w.complaint(id, '2026-02-05T10:00:00Z', 'high', `c-high-${token}`, text.description);
    await w.complaint(id, '2026-02-06T10:00:00Z', 'low', `c-low-${token}`, text.description);
    await w.resolve(id, `c-low-${token}`, '2026-02-07T10:00:00Z', { resolution: text.resolution, satisfaction: 4 });
    await w.feedback(id, '2026-02-10T10:00:00Z', { csat: 2, nps: 9, comment: text.comment });
    // An NPS-only answer leaves the last CSAT as it was.
    await w.feedback(id, '2026-02-12T10:00:00Z', { nps: 6 });
    await w.contact(id, '2026-02-15T10:00:00Z', {
      channel: 'email',
      direction: 'inbound',
      outcome: 'follow-up-needed',
      summary: text.laterSummary,
      nextFollowUpAt: '2026-03-20T09:00:00+08:00',
    });
    await w.assignOwner(id, 'u-bob');
    const last = await w.updateProfile(id, { region: 'south', tags: ['b2b'] });
    const b = acquired.body;
    const needles = [b.name, b.email, b.phone, b.phone.replace(/^\+86/, ''), ...Object.values(text)];
    return { id, last, needles };
  }

  it('has every SPEC field, with the values the commands imply', async () => {
    const { id, last } = await knownCustomer();
    expect(last.revision).toBe(11);

    const profile = await readOk(api, `/v1/profiles/${id}`, { minPosition: last.position });

    expect(Object.keys(profile)).toEqual(expect.arrayContaining(SPEC_FIELDS));
    expect(profile).toMatchObject({
      customerId: id,
      stage: 'retained',
      type: 'business',
      channel: 'referral',
      region: 'south',
      ownerId: 'u-bob',
      tags: ['b2b'],
      acquiredAt: '2026-01-05T08:00:00.000Z',
      purchaseCount: 2,
      totalSpendMinor: 15_000,
      lastPurchaseAt: '2026-02-01T10:00:00.000Z',
      lastContactAt: '2026-02-15T10:00:00.000Z',
      nextFollowUpAt: '2026-03-20T01:00:00.000Z',
      openComplaints: 1,
      csatLast: 2,
      npsLast: 6,
      // 37 days since the last purchase, 23 since the last contact: 0; one open high complaint: 15 + 10; CSAT 2: +10.
      churnRisk: 35,
      revision: 11,
    });
    expect(profile.position).toBeGreaterThanOrEqual(last.position);
  });

  it('computes churnRisk as of now: time passing raises it without any event', async () => {
    const { id, last } = await knownCustomer();
    expect((await readOk(api, `/v1/profiles/${id}`, { minPosition: last.position })).churnRisk).toBe(35);

    clock.set('2026-05-20T12:00:00.000Z');
    const later = await readOk(api, `/v1/profiles/${id}`);
    // Purchase 108 days old: +20; contact 94 days old: +20; complaint 25; poor CSAT 10.
    expect(later.churnRisk).toBe(75);
  });

  it('masks name, email and phone as "***" for analysts and admins, null when absent, and never shows a personal value', async () => {
    const { id, last, needles } = await knownCustomer();
    for (const role of ['analyst', 'admin'] as const) {
      const profile = await readOk(api, `/v1/profiles/${id}`, { role, minPosition: last.position });
      expect({ name: profile.name, email: profile.email, phone: profile.phone }).toEqual({ name: '***', email: '***', phone: '***' });
      expectNoPersonalData(profile, needles);
      const list = await readOk(api, '/v1/profiles?limit=500', { role });
      expect(list.items.map((p: any) => p.customerId)).toContain(id);
      expectNoPersonalData(list, needles);
    }

    const bare = await w.acquire({ email: undefined, phone: undefined });
    const shown = await readOk(api, `/v1/profiles/${bare.customerId}`, { minPosition: w.position });
    expect({ name: shown.name, email: shown.email, phone: shown.phone }).toEqual({ name: '***', email: null, phone: null });

    await w.updateProfile(bare.customerId, { email: `late-${randomUUID().slice(0, 8)}@example.com` });
    await w.updateProfile(id, { phone: null });
    const [added, cleared] = await Promise.all([
      readOk(api, `/v1/profiles/${bare.customerId}`, { minPosition: w.position }),
      readOk(api, `/v1/profiles/${id}`, { minPosition: w.position }),
    ]);
    expect({ email: added.email, phone: added.phone }).toEqual({ email: '***', phone: null });
    expect({ email: cleared.email, phone: cleared.phone }).toEqual({ email: '***', phone: null });
  });

  it('reads "[erased]" for name, email and phone after DELETE personal-data, and keeps the facts', async () => {
    const { id, needles } = await knownCustomer();
    const erased = await w.erase(id);
    const profile = await readOk(api, `/v1/profiles/${id}`, { minPosition: erased.position });
    expect({ name: profile.name, email: profile.email, phone: profile.phone }).toEqual({ name: '[erased]', email: '[erased]', phone: '[erased]' });
    expect(profile).toMatchObject({ customerId: id, stage: 'retained', purchaseCount: 2, totalSpendMinor: 15_000, revision: erased.revision });
    expectNoPersonalData(profile, needles);
  });

  it('answers 404 for an unknown customer and 400 for an id that is no UUID; ids compare case-insensitively', async () => {
    const { customerId } = await w.acquire();
    expect((await readOk(api, `/v1/profiles/${customerId.toUpperCase()}`, { minPosition: w.position })).customerId).toBe(customerId);
    expectApiError(await read(api, `/v1/profiles/${randomUUID()}`), 404, 'CUSTOMER_NOT_FOUND');
    const bad = await read(api, '/v1/profiles/not-a-uuid');
    expectApiError(bad, 400, 'VALIDATION_FAILED');
    expect(failedFields(bad)).toEqual(['id']);
  });

  it('is for analysts (and admins): auditor and service keys get 403, no key 401', async () => {
    const { customerId } = await w.acquire();
    for (const path of [`/v1/profiles/${customerId}`, '/v1/profiles']) {
      for (const role of ['auditor', 'service'] as const) expectApiError(await read(api, path, { role }), 403, 'FORBIDDEN');
      expectApiError(await api.http().get(path), 401, 'UNAUTHORIZED');
      expect((await read(api, path, { role: 'admin', minPosition: w.position })).status).toBe(200);
    }
  });

  it('read-your-writes: the position of a command reply, given as minPosition, shows the change at once', async () => {
    for (let i = 0; i < 10; i++) {
      const acquired = await w.acquire();
      const first = await readOk(api, `/v1/profiles/${acquired.customerId}`, { minPosition: acquired.position });
      expect(first.position).toBeGreaterThanOrEqual(acquired.position);
      expect(first.purchaseCount).toBe(0);

      const bought = await w.purchase(acquired.customerId, before(NOW, 1), 500 + i);
      const second = await readOk(api, `/v1/profiles/${acquired.customerId}`, { minPosition: bought.position });
      expect(second.position).toBeGreaterThanOrEqual(bought.position);
      expect({ purchaseCount: second.purchaseCount, totalSpendMinor: second.totalSpendMinor, revision: second.revision }).toEqual({
        purchaseCount: 1,
        totalSpendMinor: 500 + i,
        revision: bought.revision,
      });
    }
  });
});

describe('freshness: ?minPosition beyond what the read models reflect', () => {
  let api: TestApi;
  let w: Writer;
  let customerId: string;

  beforeAll(async () => {
    api = await startTestApi({ env: { CRM_FRESHNESS_WAIT_MS: '200' } });
    w = new Writer(api);
    ({ customerId } = await w.acquire());
    await readOk(api, `/v1/profiles/${customerId}`, { minPosition: w.position });
  });
  afterAll(() => api.destroy());

  it('waits CRM_FRESHNESS_WAIT_MS, then answers 503 NOT_YET_VISIBLE with the current position', async () => {
    const started = Date.now();
    const res = await read(api, `/v1/profiles/${customerId}`, { minPosition: w.position + 1_000_000 });
    const waited = Date.now() - started;
    expectApiError(res, 503, 'NOT_YET_VISIBLE');
    expect(res.body.error.details.position).toBe(w.position);
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(waited).toBeLessThan(1_500);
  });

  it.each([
    '/v1/profiles',
    '/v1/segments',
    '/v1/segments/tier/none/members',
    '/v1/funnels/lifecycle',
    '/v1/kpis',
    '/v1/follow-ups',
  ])('%s: carries position, and answers 503 NOT_YET_VISIBLE for a position not reached', async (path) => {
    const ok = await readOk(api, path, { minPosition: w.position });
    expect(ok.position).toBe(w.position);
    const res = await read(api, path, { minPosition: w.position + 1_000_000 });
    expectApiError(res, 503, 'NOT_YET_VISIBLE');
    expect(res.body.error.details.position).toBe(w.position);
  });

  it.each(['-1', 'abc', '1.5'])('refuses minPosition=%s with 400', async (value) => {
    const res = await api.http().get(`/v1/profiles/${customerId}?minPosition=${value}`).set(api.auth('analyst'));
    expectApiError(res, 400, 'VALIDATION_FAILED');
    expect(failedFields(res)).toEqual(['minPosition']);
  });
});

describe('GET /v1/profiles (list)', () => {
  const NOW = '2026-06-01T00:00:00.000Z';
  const clock = new TestClock(NOW);
  let api: TestApi;
  let w: Writer;
  const c: Record<string, string> = {};
  let everyone: string[];

  const ids = (body: Record<string, any>) => body.items.map((p: { customerId: string }) => p.customerId);
  const sorted = (...labels: string[]) => labels.map((l) => c[l]).sort();

  beforeAll(async () => {
    api = await startTestApi({ clock });
    w = new Writer(api);
    const acquire = async (label: string, ownerId: string, region: string) => {
      c[label] = (await w.acquire({ ownerId, region, occurredAt: '2025-06-01T00:00:00Z' })).customerId;
    };
    await acquire('L1', 'u-1', 'east');
    await acquire('L2', 'u-2', 'west');
    await acquire('L3', 'u-1', 'west');
    await acquire('L4', 'u-2', 'east');
    await acquire('L5', 'u-1', 'east');
    await acquire('L6', 'u-3', 'north');
    await acquire('L7', 'u-3', 'north');
    await w.contact(c.L2, before(NOW, 7));
    await w.purchase(c.L3, before(NOW, 100), 3_000);
    for (const days of [200, 150, 60, 5]) await w.purchase(c.L4, before(NOW, days), 5_000);
    await w.purchase(c.L5, before(NOW, 20), 99_999);
    await w.churn(c.L5, before(NOW, 10));
    await w.purchase(c.L6, before(NOW, 10), 1_000);
    await w.complaint(c.L7, before(NOW, 3), 'critical');
    await w.complaint(c.L7, before(NOW, 2), 'critical');
    everyone = sorted('L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7');
  });
  afterAll(() => api.destroy());

  it('lists every customer once, in customer id order, across pages of `limit`', async () => {
    const { items, pages } = await allPages(api, '/v1/profiles?limit=2', { minPosition: w.position });
    expect(pages).toBe(4);
    expect(items.map((p) => p.customerId)).toEqual(everyone);
    const first = await readOk(api, '/v1/profiles?limit=2');
    expect(first.items).toHaveLength(2);
    expect(typeof first.nextCursor).toBe('string');
    const whole = await readOk(api, '/v1/profiles?limit=7');
    expect(ids(whole)).toEqual(everyone);
    expect(whole.nextCursor).toBeNull();
  });

  // Population (the RFM population is L3, L4, L6; L5 is churned and in no segment):
  // R: L4 5 days -> 4, L6 10 days -> 2, L3 100 days -> 1; F: L4 4 purchases -> 4, others 1 -> 1.
  // Tier: L4 the top spender of three -> vip; L3, L6 ordinary. Loyalty: L4 four purchases, first 200 days ago -> loyal.
  // Risk: L3 100-day-old purchase + never contacted = 40 (medium); L7 20 + 2 open complaints 30 + critical 10 = 60 (high).
  it.each([
    ['stage=acquired', ['L1', 'L7']],
    ['stage=engaged', ['L2']],
    ['stage=converted', ['L3', 'L6']],
    ['stage=retained', ['L4']],
    ['stage=churned', ['L5']],
    ['ownerId=u-1', ['L1', 'L3', 'L5']],
    ['region=north', ['L6', 'L7']],
    ['tier=vip', ['L4']],
    ['tier=important', []],
    ['tier=ordinary', ['L3', 'L6']],
    ['tier=none', ['L1', 'L2', 'L7']],
    ['loyalty=potential', ['L1', 'L2', 'L7']],
    ['loyalty=new', ['L6']],
    ['loyalty=returning', ['L3']],
    ['loyalty=loyal', ['L4']],
    ['rfmSegment=loyal', ['L4']],
    ['rfmSegment=hibernating', ['L6']],
    ['rfmSegment=lost', ['L3']],
    ['rfmSegment=champions', []],
    ['riskLevel=low', ['L1', 'L2', 'L4', 'L6']],
    ['riskLevel=medium', ['L3']],
    ['riskLevel=high', ['L7']],
    ['ownerId=u-1&riskLevel=medium', ['L3']],
    ['stage=converted&tier=ordinary&region=west', ['L3']],
  ])('filters by %s', async (query, expected) => {
    const body = await readOk(api, `/v1/profiles?${query}`, { minPosition: w.position });
    expect(ids(body)).toEqual(sorted(...expected));
    expect(body.position).toBeGreaterThanOrEqual(w.position);
  });

  it('shows churnRisk on list items as on the single profile', async () => {
    const body = await readOk(api, '/v1/profiles?riskLevel=high', { minPosition: w.position });
    expect(body.items[0].churnRisk).toBe(60);
    expect((await readOk(api, `/v1/profiles/${c.L7}`)).churnRisk).toBe(60);
  });

  it('pages through a filtered list with the cursor', async () => {
    const { items, pages } = await allPages(api, '/v1/profiles?loyalty=potential&limit=1', { minPosition: w.position });
    expect(items.map((p) => p.customerId)).toEqual(sorted('L1', 'L2', 'L7'));
    expect(pages).toBe(3);
    const owned = await allPages(api, '/v1/profiles?ownerId=u-1&limit=2');
    expect(owned.items.map((p) => p.customerId)).toEqual(sorted('L1', 'L3', 'L5'));
  });

  it('refuses a cursor it did not give out with 400', async () => {
    for (const cursor of ['not-a-cursor', Buffer.from('hello').toString('base64url'), 'x'.repeat(201)]) {
      const res = await read(api, `/v1/profiles?cursor=${cursor}`);
      expectApiError(res, 400, 'VALIDATION_FAILED');
      expect(failedFields(res)).toEqual(['cursor']);
    }
  });

  it.each([
    ['stage=lead', 'stage'],
    ['tier=gold', 'tier'],
    ['loyalty=fan', 'loyalty'],
    ['rfmSegment=sleepy', 'rfmSegment'],
    ['riskLevel=extreme', 'riskLevel'],
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['limit=ten', 'limit'],
    ['ownerId=', 'ownerId'],
    ['colour=red', 'colour'],
  ])('refuses %s with 400 naming the field', async (query, field) => {
    const res = await read(api, `/v1/profiles?${query}`);
    expectApiError(res, 400, 'VALIDATION_FAILED');
    expect(failedFields(res)).toEqual([field]);
  });

  it('segment filters honour minPosition: a purchase that makes a new vip shows in the next filtered read', async () => {
    expect(ids(await readOk(api, '/v1/profiles?tier=vip', { minPosition: w.position }))).toEqual([c.L4]);
    const bought = await w.purchase(c.L6, before(NOW, 1), 50_000);
    const body = await readOk(api, '/v1/profiles?tier=vip', { minPosition: bought.position });
    expect(ids(body)).toEqual([c.L6]);
    expect(ids(await readOk(api, '/v1/profiles?tier=ordinary'))).toEqual(sorted('L3', 'L4'));
  });
});
