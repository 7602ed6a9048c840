import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../support/api-harness';
import { acquire, expectApiError, exportLog, historyOf, logHead, nationalMobile } from '../support/api-client';
import { newCustomer } from '../support/customers';

describe('concurrent commands', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api.destroy());

  const purchase = (customerId: string, ifMatch?: number) => {
    const req = api.http().post(`/v1/customers/${customerId}/purchases`).set(api.auth('service'));
    if (ifMatch !== undefined) req.set('If-Match', String(ifMatch));
    return req.send({ orderId: `o-${randomUUID()}`, amountMinor: 100, currency: 'CNY' });
  };

  it('lets exactly one of 50 parallel appends with the same If-Match win; the others get REVISION_CONFLICT', async () => {
    const { customerId } = await acquire(api);
    const head = await logHead(api);

    const replies = await Promise.all(Array.from({ length: 50 }, () => purchase(customerId, 0)));

    const winners = replies.filter((r) => r.status === 200);
    const losers = replies.filter((r) => r.status !== 200);
    expect(winners).toHaveLength(1);
    expect(winners[0].body).toEqual({ customerId, revision: 1, position: expect.any(Number) });
    expect(losers).toHaveLength(49);
    for (const res of losers) expectApiError(res, 409, 'REVISION_CONFLICT', { currentRevision: 1 });

    const events = await historyOf(api, customerId);
    expect(events.map((e) => e.type)).toEqual(['CustomerAcquired', 'PurchaseRecorded']);
    expect(await logHead(api)).toEqual({ count: head.count + 1, lastPosition: winners[0].body.position });
  });

  it('serialises 50 parallel appends without If-Match into 50 consecutive revisions', async () => {
    const { customerId } = await acquire(api);

    const replies = await Promise.all(Array.from({ length: 50 }, () => purchase(customerId)));

    expect(replies.map((r) => r.status)).toEqual(Array(50).fill(200));
    const revisions = replies.map((r) => r.body.revision).sort((a, b) => a - b);
    expect(revisions).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(replies.map((r) => r.body.position)).size).toBe(50);

    const events = await historyOf(api, customerId);
    expect(events).toHaveLength(51);
    expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 51 }, (_, i) => i));
    for (let i = 1; i < events.length; i++) expect(events[i].position).toBeGreaterThan(events[i - 1].position);
    const byRevision = new Map(replies.map((r) => [r.body.revision, r.body.position]));
    for (const e of events.slice(1)) expect(byRevision.get(e.revision)).toBe(e.position);
    const state = await api.http().get(`/v1/customers/${customerId}/state`).set(api.auth('auditor'));
    expect(state.body.state).toMatchObject({ purchaseCount: 50, totalSpendMinor: 5000, stage: 'retained' });
  });

  it('keeps streams of different customers independent under parallel load', async () => {
    const customers = await Promise.all(Array.from({ length: 10 }, () => acquire(api)));
    const replies = await Promise.all(customers.flatMap(({ customerId }) => Array.from({ length: 5 }, () => purchase(customerId))));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    for (const { customerId } of customers) {
      const revisions = replies.filter((r) => r.body.customerId === customerId).map((r) => r.body.revision).sort();
      expect(revisions).toEqual([1, 2, 3, 4, 5]);
    }
    expect(new Set(replies.map((r) => r.body.position)).size).toBe(50);
  });

  it('lets exactly one of 20 parallel acquisitions sharing an email succeed; the others name the winner', async () => {
    const email = `race-${randomUUID().slice(0, 8)}@example.com`;
    const bodies = Array.from({ length: 20 }, () => newCustomer({ email }));
    const head = await logHead(api);

    const replies = await Promise.all(bodies.map((body) => api.http().post('/v1/customers').set(api.auth('service')).send(body)));

    const winners = replies.filter((r) => r.status === 201);
    expect(winners).toHaveLength(1);
    const winner = winners[0].body.customerId;
    const losers = replies.filter((r) => r.status !== 201);
    expect(losers).toHaveLength(19);
    for (const res of losers) expectApiError(res, 409, 'DUPLICATE_EMAIL', { existingCustomerId: winner });

    expect((await logHead(api)).count).toBe(head.count + 1);
    for (const body of bodies.filter((b) => b.customerId !== winner)) {
      const res = await api.http().get(`/v1/customers/${body.customerId}/history`).set(api.auth('auditor'));
      expectApiError(res, 404, 'CUSTOMER_NOT_FOUND');
    }
    const { events } = await exportLog(api, `?fromPosition=${head.lastPosition + 1}`);
    expect(events.map((e) => [e.type, e.customerId, e.data.email])).toEqual([['CustomerAcquired', winner, email]]);
  });

  it('lets exactly one of 20 parallel acquisitions sharing a phone (in either form) succeed', async () => {
    const national = nationalMobile();
    const bodies = Array.from({ length: 20 }, (_, i) => newCustomer({ phone: i % 2 === 0 ? national : `+86${national}` }));

    const replies = await Promise.all(bodies.map((body) => api.http().post('/v1/customers').set(api.auth('service')).send(body)));

    const winners = replies.filter((r) => r.status === 201);
    expect(winners).toHaveLength(1);
    for (const res of replies.filter((r) => r.status !== 201)) {
      expectApiError(res, 409, 'DUPLICATE_PHONE', { existingCustomerId: winners[0].body.customerId });
    }
  });

  it('leaves no reservation behind for the losers: their other contact values stay free', async () => {
    const email = `loser-${randomUUID().slice(0, 8)}@example.com`;
    const bodies = Array.from({ length: 10 }, () => newCustomer({ email, phone: nationalMobile() }));
    const replies = await Promise.all(bodies.map((body) => api.http().post('/v1/customers').set(api.auth('service')).send(body)));
    const winner = replies.find((r) => r.status === 201)!.body.customerId;

    const loserPhones = bodies.filter((b) => b.customerId !== winner).map((b) => b.phone);
    expect(loserPhones).toHaveLength(9);
    for (const phone of loserPhones) {
      const res = await api.http().post('/v1/customers').set(api.auth('service')).send(newCustomer({ phone }));
      expect(res.status).toBe(201);
    }
  });
});
