import { startTestApi, type TestApi } from '../support/api-harness';
import { expectApiError, failedFields } from '../support/api-client';
import { after, allPages, before, read, readOk, Writer } from '../support/read-client';
import { TestClock } from '../support/test-clock';

/**
 * A small population with purchases at known business times, days before A:
 *
 *   customer  purchases (days before A) x amount      window spend  R  F  segment             tier       loyalty    risk
 *   A1        1 30 60 100 200 300 x 10000           60000         5  5  champions           vip        loyal      20 low
 *   A2        2 x 4500                              4500          5  1  new-customer        ordinary   new        20 low
 *   A3        10 50 90 x 5000                       15000         4  3  potential-loyalist  ordinary   new (90d)  20 low
 *   A4        20 x 2000                             2000          4  1  promising           ordinary   new        20 low
 *   A5        40 70 100 130 180 x 7000              35000         3  4  loyal               important  loyal(180d) 20 low
 *   A6        60 90 120 x 4000                      12000         3  3  need-attention      ordinary   returning  20 low
 *   A7        100 110 x 3000                        6000          2  2  hibernating         ordinary   returning  40 medium
 *   A8        150 160 170 175 176 177 x 8000        48000         2  5  cant-lose           important  returning  40 medium
 *   A9        200 250 x 2500                        5000          1  2  lost                ordinary   returning  60 high
 *   A10       300 x 1000, 400 x 50000 (outside)     1000          1  1  lost                ordinary   returning  60 high
 *   A11       400 x 70000 (outside the window)      -             -  -  -                   none       returning  60 high
 *   P1        no purchase, open critical complaint  -             -  -  -                   none       potential  45 medium
 *   P2        no purchase, contacted 5 days ago     -             -  -  -                   none       potential  0 low
 *   X1        3 x 100000, churned 2 days ago        excluded everywhere
 *   X2        3 x 100000, personal data erased      excluded everywhere
 *
 * RFM population n = 10 (A1..A10): score = 1 + floor(5 * worse / 10). Nobody has been contacted but P2,
 * so the other live customers carry the +20 for "no contact for > 90 days".
 */
const A = '2026-06-01T00:00:00.000Z';
const PLAN: Record<string, [number[], number][]> = {
  A1: [[[1, 30, 60, 100, 200, 300], 10_000]],
  A2: [[[2], 4_500]],
  A3: [[[10, 50, 90], 5_000]],
  A4: [[[20], 2_000]],
  A5: [[[40, 70, 100, 130, 180], 7_000]],
  A6: [[[60, 90, 120], 4_000]],
  A7: [[[100, 110], 3_000]],
  A8: [[[150, 160, 170, 175, 176, 177], 8_000]],
  A9: [[[200, 250], 2_500]],
  A10: [
    [[300], 1_000],
    [[400], 50_000],
  ],
  A11: [[[400], 70_000]],
  P1: [],
  P2: [],
  X1: [[[3], 100_000]],
  X2: [[[3], 100_000]],
};
const LIVE = ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8', 'A9', 'A10', 'A11', 'P1', 'P2'];

const NAMES = {
  tier: ['vip', 'important', 'ordinary', 'none'],
  loyalty: ['potential', 'new', 'returning', 'loyal'],
  rfm: ['champions', 'loyal', 'potential-loyalist', 'new-customer', 'promising', 'need-attention', 'about-to-sleep', 'at-risk', 'cant-lose', 'hibernating', 'lost'],
  risk: ['low', 'medium', 'high'],
} as const;

describe('segments as of a reference time', () => {
  const clock = new TestClock(A);
  let api: TestApi;
  let w: Writer;
  const c: Record<string, string> = {};
  const label = new Map<string, string>();

  const ids = (...labels: string[]) => labels.map((l) => c[l]).sort();
  const labelsOf = (items: Record<string, any>[]) => items.map((i) => label.get(i.customerId) ?? `unknown ${i.customerId}`);
  /** Labels in the order members are listed: by customer id. */
  const sortedLabels = (...labels: string[]) => labelsOf(ids(...labels).map((customerId) => ({ customerId })));
  const segments = (asOf: string) => readOk(api, `/v1/segments?asOf=${encodeURIComponent(asOf)}`, { minPosition: w.position });
  const members = (kind: string, name: string, asOf = A) =>
    allPages(api, `/v1/segments/${kind}/${name}/members?asOf=${encodeURIComponent(asOf)}`, { minPosition: w.position });

  beforeAll(async () => {
    api = await startTestApi({ clock });
    w = new Writer(api);
    for (const name of Object.keys(PLAN)) {
      c[name] = (await w.acquire({ occurredAt: before(A, 420) })).customerId;
      label.set(c[name], name);
      for (const [days, amount] of PLAN[name]) for (const d of days) await w.purchase(c[name], before(A, d), amount);
    }
    await w.complaint(c.P1, before(A, 5), 'critical');
    await w.contact(c.P2, before(A, 5));
    await w.churn(c.X1, before(A, 2));
    await w.erase(c.X2);
  });
  afterAll(() => api.destroy());

  it('counts tiers, loyalty classes, RFM segments and risk levels as computed by hand', async () => {
    const body = await segments(A);
    expect(body.asOf).toBe(A);
    expect(body.position).toBeGreaterThanOrEqual(w.position);
    expect(body.tier).toEqual({ vip: 1, important: 2, ordinary: 7, none: 3 });
    expect(body.loyalty).toEqual({ potential: 2, new: 3, returning: 6, loyal: 2 });
    expect(body.rfm).toEqual({
      champions: 1,
      loyal: 1,
      'potential-loyalist': 1,
      'new-customer': 1,
      promising: 1,
      'need-attention': 1,
      'about-to-sleep': 0,
      'at-risk': 0,
      'cant-lose': 1,
      hibernating: 1,
      lost: 2,
    });
    expect(body.risk).toEqual({ low: 7, medium: 3, high: 3 });
  });

  it('defaults asOf to now (the server clock)', async () => {
    const body = await readOk(api, '/v1/segments', { minPosition: w.position });
    const pinned = await segments(A);
    expect(body.asOf).toBe(A);
    expect({ tier: body.tier, loyalty: body.loyalty, rfm: body.rfm, risk: body.risk }).toEqual({
      tier: pinned.tier,
      loyalty: pinned.loyalty,
      rfm: pinned.rfm,
      risk: pinned.risk,
    });
  });

  it('loyalty boundaries: exactly 90 days since the first purchase is still new, exactly 180 days can be loyal', async () => {
    // A3's first purchase is exactly 90 days before A, A5's (5 purchases) exactly 180 days.
    expect((await segments(A)).loyalty).toEqual({ potential: 2, new: 3, returning: 6, loyal: 2 });
    // One millisecond later A3 is no longer new.
    expect((await segments(after(A, 0, 1))).loyalty).toEqual({ potential: 2, new: 2, returning: 7, loyal: 2 });
    // One millisecond earlier A5's tenure is short of 180 days.
    expect((await segments(before(A, 0, 1))).loyalty).toEqual({ potential: 2, new: 3, returning: 7, loyal: 1 });
    expect(labelsOf((await members('loyalty', 'new', after(A, 0, 1))).items).sort()).toEqual(['A2', 'A4']);
    expect(labelsOf((await members('loyalty', 'loyal', before(A, 0, 1))).items)).toEqual(['A1']);
  });

  it('changes with asOf alone, while no event arrives', async () => {
    const now = await segments(A);
    const later = await segments(after(A, 31));
    expect(later.position).toBe(now.position);
    expect(later.asOf).toBe(after(A, 31));
    // 31 days on: A6's last purchase is 91 days old (medium), A8's 181 days (high).
    expect(later.risk).toEqual({ low: 6, medium: 3, high: 4 });
    // A3 (121 days) has become returning, A8 (first purchase 208 days ago, 6 purchases) loyal.
    expect(later.loyalty).toEqual({ potential: 2, new: 2, returning: 6, loyal: 3 });
    expect(labelsOf((await members('risk', 'high', after(A, 31))).items).sort()).toEqual(['A10', 'A11', 'A8', 'A9']);

    const beforeAnyone = await segments(before(A, 430));
    expect(beforeAnyone.tier).toEqual({ vip: 0, important: 0, ordinary: 0, none: 0 });
    expect(beforeAnyone.loyalty).toEqual({ potential: 0, new: 0, returning: 0, loyal: 0 });
    expect(Object.values(beforeAnyone.rfm).every((n) => n === 0)).toBe(true);
    expect(beforeAnyone.risk).toEqual({ low: 0, medium: 0, high: 0 });
  });

  it('lists the members of each segment; tiers, loyalty and risk each cover every live customer once, RFM the scored ones', async () => {
    const byKind: Record<string, Record<string, string[]>> = {};
    for (const [kind, names] of Object.entries(NAMES)) {
      byKind[kind] = {};
      for (const name of names) {
        const { items } = await members(kind, name);
        for (const item of items) expect(Object.keys(item)).toContain('customerId');
        byKind[kind][name] = labelsOf(items);
      }
    }
    expect(byKind.tier).toEqual({
      vip: ['A1'],
      important: sortedLabels('A5', 'A8'),
      ordinary: sortedLabels('A2', 'A3', 'A4', 'A6', 'A7', 'A9', 'A10'),
      none: sortedLabels('A11', 'P1', 'P2'),
    });
    expect(byKind.rfm).toEqual({
      champions: ['A1'],
      loyal: ['A5'],
      'potential-loyalist': ['A3'],
      'new-customer': ['A2'],
      promising: ['A4'],
      'need-attention': ['A6'],
      'about-to-sleep': [],
      'at-risk': [],
      'cant-lose': ['A8'],
      hibernating: ['A7'],
      lost: sortedLabels('A9', 'A10'),
    });
    expect(byKind.loyalty).toEqual({
      potential: sortedLabels('P1', 'P2'),
      new: sortedLabels('A2', 'A3', 'A4'),
      returning: sortedLabels('A6', 'A7', 'A8', 'A9', 'A10', 'A11'),
      loyal: sortedLabels('A1', 'A5'),
    });
    expect(byKind.risk).toEqual({
      low: sortedLabels('A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'P2'),
      medium: sortedLabels('A7', 'A8', 'P1'),
      high: sortedLabels('A9', 'A10', 'A11'),
    });
    for (const kind of ['tier', 'loyalty', 'risk']) expect(Object.values(byKind[kind]).flat().sort()).toEqual([...LIVE].sort());
  });

  it('excludes churned and erased customers, though they spent the most', async () => {
    const everyMember = new Set<string>();
    for (const [kind, names] of Object.entries(NAMES)) {
      for (const name of names) for (const item of (await members(kind, name)).items) everyMember.add(item.customerId);
    }
    expect(everyMember.has(c.X1)).toBe(false);
    expect(everyMember.has(c.X2)).toBe(false);
    expect(everyMember.size).toBe(LIVE.length);
  });

  it('shows scores on members: A8 is R2 F5 M5, cant-lose, important', async () => {
    const { items } = await members('rfm', 'cant-lose');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ customerId: c.A8, rfm: { r: 2, f: 5, m: 5, segment: 'cant-lose' }, tier: 'important', loyalty: 'returning' });
  });

  it('pages members with limit and cursor: every member once, in customer id order', async () => {
    const path = `/v1/segments/tier/ordinary/members?asOf=${encodeURIComponent(A)}&limit=3`;
    const first = await readOk(api, path, { minPosition: w.position });
    expect(first.items).toHaveLength(3);
    expect(first).toMatchObject({ kind: 'tier', name: 'ordinary', asOf: A });
    expect(typeof first.nextCursor).toBe('string');
    const { items, pages } = await allPages(api, path);
    expect(pages).toBe(3);
    expect(items.map((i) => i.customerId)).toEqual(ids('A2', 'A3', 'A4', 'A6', 'A7', 'A9', 'A10'));
    const last = await readOk(api, `${path}&cursor=${encodeURIComponent(first.nextCursor)}`);
    expect(last.items.map((i: { customerId: string }) => i.customerId)).toEqual(ids('A2', 'A3', 'A4', 'A6', 'A7', 'A9', 'A10').slice(3, 6));
  });

  it('answers 404 for an unknown kind or name, 400 for a bad cursor, asOf or limit', async () => {
    for (const path of ['/v1/segments/colour/vip/members', '/v1/segments/tier/gold/members', '/v1/segments/rfm/vip/members', '/v1/segments/risk/none/members']) {
      expectApiError(await read(api, path), 404, 'SEGMENT_NOT_FOUND');
    }
    for (const [query, field] of [
      ['cursor=nonsense', 'cursor'],
      ['asOf=yesterday', 'asOf'],
      ['limit=0', 'limit'],
    ]) {
      const res = await read(api, `/v1/segments/tier/vip/members?${query}`);
      expectApiError(res, 400, 'VALIDATION_FAILED');
      expect(failedFields(res)).toEqual([field]);
    }
    const res = await read(api, '/v1/segments?asOf=2026-13-01');
    expectApiError(res, 400, 'VALIDATION_FAILED');
    expect(failedFields(res)).toEqual(['asOf']);
  });

  it('is for analysts (and admins): auditor and service keys get 403', async () => {
    for (const path of ['/v1/segments', '/v1/segments/tier/vip/members']) {
      for (const role of ['auditor', 'service'] as const) expectApiError(await read(api, path, { role }), 403, 'FORBIDDEN');
      expect((await read(api, path, { role: 'admin' })).status).toBe(200);
    }
  });

  it('follows new events: a customer who churns leaves, one who is reactivated comes back', async () => {
    const churned = await w.churn(c.A1, before(A, 0, 1000));
    let body = await readOk(api, '/v1/segments', { minPosition: churned.position });
    expect(body.position).toBeGreaterThanOrEqual(churned.position);
    expect(body.tier.vip + body.tier.important + body.tier.ordinary + body.tier.none).toBe(LIVE.length - 1);
    expect(labelsOf((await readOk(api, '/v1/segments/tier/vip/members', { minPosition: churned.position })).items)).toEqual(['A8']);

    const back = await w.reactivate(c.A1, before(A, 0, 500));
    body = await readOk(api, '/v1/segments', { minPosition: back.position });
    expect(body.tier).toEqual({ vip: 1, important: 2, ordinary: 7, none: 3 });
  });
});
