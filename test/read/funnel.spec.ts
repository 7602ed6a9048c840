import { startTestApi, type TestApi } from '../support/api-harness';
import { expectApiError, failedFields } from '../support/api-client';
import { read, readOk, Writer } from '../support/read-client';
import { TestClock } from '../support/test-clock';

type Stages = [acquired: number, engaged: number, converted: number, retained: number, churned: number];

/** The cohort as the SPEC shapes it, conversion = stage / previous stage (0 when the previous is 0). */
function cohort(month: string, [acquired, engaged, converted, retained, churned]: Stages) {
  const rate = (part: number, whole: number) => (whole === 0 ? 0 : expect.closeTo(part / whole, 10));
  return {
    month,
    stages: { acquired, engaged, converted, retained, churned },
    conversion: { engaged: rate(engaged, acquired), converted: rate(converted, engaged), retained: rate(retained, converted) },
  };
}

const EMPTY: Stages = [0, 0, 0, 0, 0];

describe('GET /v1/funnels/lifecycle', () => {
  const clock = new TestClock('2026-05-15T00:00:00.000Z');
  let api: TestApi;
  let w: Writer;

  const funnel = (query: string) => readOk(api, `/v1/funnels/lifecycle${query}`, { minPosition: w.position });
  const acquire = async (occurredAt: string, channel = 'web') => (await w.acquire({ occurredAt, channel })).customerId;

  // January 2026 (UTC): 7 acquired; engaged J2 (contact), J3 (purchase without contact), J4, J5;
  // converted J3, J4, J5; retained J4; churned J5. J6 and J7 are January in UTC although local February.
  // February: F1 (acquired 2026-01-31T23:30:00-01:00, i.e. February in UTC), K2 contacted (referral).
  // March: nobody. April: M1 bought, churned, was reactivated and bought again; M2 churned unengaged.
  beforeAll(async () => {
    api = await startTestApi({ clock });
    w = new Writer(api);
    await acquire('2026-01-10T10:00:00Z');
    const j2 = await acquire('2026-01-11T10:00:00Z');
    await w.contact(j2, '2026-01-12T10:00:00Z');
    const j3 = await acquire('2026-01-12T10:00:00Z', 'ads');
    await w.purchase(j3, '2026-01-20T10:00:00Z', 1_000);
    const j4 = await acquire('2026-01-13T10:00:00Z');
    await w.contact(j4, '2026-01-14T10:00:00Z');
    await w.purchase(j4, '2026-01-20T10:00:00Z', 1_000);
    await w.purchase(j4, '2026-02-20T10:00:00Z', 1_000);
    const j5 = await acquire('2026-01-14T10:00:00Z', 'ads');
    await w.contact(j5, '2026-01-15T10:00:00Z');
    await w.purchase(j5, '2026-01-16T10:00:00Z', 1_000);
    await w.churn(j5, '2026-03-01T10:00:00Z');
    await acquire('2026-02-01T00:30:00+08:00');
    await acquire('2026-01-31T23:59:59.999Z');

    await acquire('2026-01-31T23:30:00-01:00');
    const k2 = await acquire('2026-02-10T10:00:00Z', 'referral');
    await w.contact(k2, '2026-02-11T10:00:00Z');

    const m1 = await acquire('2026-04-02T10:00:00Z');
    await w.purchase(m1, '2026-04-03T10:00:00Z', 1_000);
    await w.churn(m1, '2026-04-05T10:00:00Z');
    await w.reactivate(m1, '2026-04-10T10:00:00Z');
    await w.purchase(m1, '2026-04-12T10:00:00Z', 1_000);
    const m2 = await acquire('2026-04-20T10:00:00Z');
    await w.churn(m2, '2026-04-21T10:00:00Z');
  });
  afterAll(() => api.destroy());

  const JANUARY = cohort('2026-01', [7, 4, 3, 1, 1]);
  const FEBRUARY = cohort('2026-02', [2, 1, 0, 0, 0]);
  const MARCH = cohort('2026-03', EMPTY);
  const APRIL = cohort('2026-04', [2, 1, 1, 1, 1]);

  it('has one cohort per acquisition month (UTC), cumulative stage counts and stage-to-stage conversion', async () => {
    const body = await funnel('?from=2026-01&to=2026-04');
    expect(body.position).toBeGreaterThanOrEqual(w.position);
    expect(body.cohorts).toEqual([JANUARY, FEBRUARY, MARCH, APRIL]);
    expect(body.cohorts[0].conversion.engaged).toBeCloseTo(4 / 7, 10);
    expect(body.cohorts[0].conversion.converted).toBeCloseTo(3 / 4, 10);
    expect(body.cohorts[0].conversion.retained).toBeCloseTo(1 / 3, 10);
  });

  it('without from/to spans the first to the last cohort, empty months included', async () => {
    expect((await funnel('')).cohorts).toEqual([JANUARY, FEBRUARY, MARCH, APRIL]);
  });

  it('includes empty months at both ends of a wider range, and cuts to a narrower one', async () => {
    const wide = await funnel('?from=2025-11&to=2026-06');
    expect(wide.cohorts).toEqual([
      cohort('2025-11', EMPTY),
      cohort('2025-12', EMPTY),
      JANUARY,
      FEBRUARY,
      MARCH,
      APRIL,
      cohort('2026-05', EMPTY),
      cohort('2026-06', EMPTY),
    ]);
    expect((await funnel('?from=2026-02&to=2026-02')).cohorts).toEqual([FEBRUARY]);
    expect((await funnel('?from=2026-04')).cohorts).toEqual([APRIL]);
    expect((await funnel('?to=2026-01')).cohorts).toEqual([JANUARY]);
  });

  it('filters by acquisition channel', async () => {
    expect((await funnel('?from=2026-01&to=2026-02&channel=ads')).cohorts).toEqual([cohort('2026-01', [2, 2, 2, 0, 1]), cohort('2026-02', EMPTY)]);
    expect((await funnel('?from=2026-01&to=2026-02&channel=referral')).cohorts).toEqual([cohort('2026-01', EMPTY), cohort('2026-02', [1, 1, 0, 0, 0])]);
    expect((await funnel('?from=2026-01&to=2026-04&channel=partner')).cohorts).toEqual([
      cohort('2026-01', EMPTY),
      cohort('2026-02', EMPTY),
      cohort('2026-03', EMPTY),
      cohort('2026-04', EMPTY),
    ]);
  });

  it('follows new events (read-your-writes): a March acquisition fills the empty month', async () => {
    const id = await acquire('2026-03-31T23:00:00-02:00');
    const body = await funnel('?from=2026-03&to=2026-04');
    // 2026-03-31T23:00:00-02:00 is 2026-04-01T01:00Z: April, not March.
    expect(body.cohorts).toEqual([MARCH, cohort('2026-04', [3, 1, 1, 1, 1])]);
    await w.contact(id, '2026-04-02T10:00:00Z');
    const march = await acquire('2026-03-15T10:00:00Z');
    await w.purchase(march, '2026-03-16T10:00:00Z', 1_000);
    expect((await funnel('?from=2026-03&to=2026-04')).cohorts).toEqual([cohort('2026-03', [1, 1, 1, 0, 0]), cohort('2026-04', [3, 2, 1, 1, 1])]);
  });

  it('refuses from after to, malformed months and unknown channels with 400', async () => {
    const cases: [string, string][] = [
      ['?from=2026-05&to=2026-04', 'from'],
      ['?from=2026-13', 'from'],
      ['?to=2026-4', 'to'],
      ['?from=202601', 'from'],
      ['?channel=tv', 'channel'],
    ];
    for (const [query, field] of cases) {
      const res = await read(api, `/v1/funnels/lifecycle${query}`);
      expectApiError(res, 400, 'VALIDATION_FAILED');
      expect(failedFields(res)).toEqual([field]);
    }
  });

  it('is for analysts (and admins): auditor and service keys get 403', async () => {
    for (const role of ['auditor', 'service'] as const) expectApiError(await read(api, '/v1/funnels/lifecycle', { role }), 403, 'FORBIDDEN');
    expect((await read(api, '/v1/funnels/lifecycle', { role: 'admin' })).status).toBe(200);
  });
});
