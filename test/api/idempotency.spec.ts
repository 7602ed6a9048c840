import { randomUUID } from 'node:crypto';
import { KEYS, startTestApi, type TestApi } from '../support/api-harness';
import { acquire, exportLog, expectApiError, expectRejected, historyOf, logHead } from '../support/api-client';
import { newCustomer } from '../support/customers';

const SECOND_SERVICE_KEY = 'test-second-service-key-000005';

describe('Idempotency-Key', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({
      env: {
        CRM_API_KEYS: [...Object.entries(KEYS).map(([role, key]) => `${key}:${role}`), `${SECOND_SERVICE_KEY}:service`].join(','),
      },
    });
  });
  afterAll(async () => api.destroy());

  const contact = (customerId: string, key: string, body: object = {}, auth = api.auth('service')) =>
    api
      .http()
      .post(`/v1/customers/${customerId}/contacts`)
      .set(auth)
      .set('Idempotency-Key', key)
      .send({ channel: 'sms', direction: 'outbound', outcome: 'reached', summary: 'promo', ...body });

  it('answers a retry with the same status and body, marks it replayed, and has one effect', async () => {
    const { customerId } = await acquire(api);
    const key = randomUUID();
    const head = await logHead(api);

    const first = await contact(customerId, key);
    const retry = await contact(customerId, key);

    expect(first.status).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await historyOf(api, customerId)).toHaveLength(2);
    const after = await logHead(api);
    expect(after.count).toBe(head.count + 1);
    expect(after.lastPosition).toBe(first.body.position);
  });

  it('replays an acquisition with 201 and the same reply', async () => {
    const key = randomUUID();
    const body = newCustomer();
    const first = await api.http().post('/v1/customers').set(api.auth('service')).set('Idempotency-Key', key).send(body);
    const retry = await api.http().post('/v1/customers').set(api.auth('service')).set('Idempotency-Key', key).send(body);

    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('replays a complaint reply including its generated complaintId', async () => {
    const { customerId } = await acquire(api);
    const key = randomUUID();
    const send = () =>
      api
        .http()
        .post(`/v1/customers/${customerId}/complaints`)
        .set(api.auth('service'))
        .set('Idempotency-Key', key)
        .send({ category: 'c', severity: 'critical', description: 'd' });
    const first = await send();
    const retry = await send();
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(first.body.complaintId).toEqual(expect.any(String));
    expect((await historyOf(api, customerId)).filter((e) => e.type === 'ComplaintFiled')).toHaveLength(1);
  });

  it('replays a rejection too, even after the cause went away', async () => {
    const customerId = randomUUID();
    const key = randomUUID();
    const first = await contact(customerId, key);
    expectApiError(first, 404, 'CUSTOMER_NOT_FOUND');

    await acquire(api, { customerId });
    const retry = await contact(customerId, key);
    expectApiError(retry, 404, 'CUSTOMER_NOT_FOUND');
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await historyOf(api, customerId)).toHaveLength(1);

    const fresh = await contact(customerId, randomUUID());
    expect(fresh.status).toBe(200);
  });

  it('replays a business-rule rejection (409) with its details', async () => {
    const email = `idem-${randomUUID().slice(0, 8)}@example.com`;
    const { customerId: holder } = await acquire(api, { email });
    const key = randomUUID();
    const body = newCustomer({ email });
    const send = () => api.http().post('/v1/customers').set(api.auth('service')).set('Idempotency-Key', key).send(body);
    const first = await send();
    expectApiError(first, 409, 'DUPLICATE_EMAIL', { existingCustomerId: holder });
    const retry = await expectRejected(api, send, 409, 'DUPLICATE_EMAIL', { existingCustomerId: holder });
    expect(retry.body).toEqual(first.body);
  });

  it('refuses the same key with a different body, or on another endpoint, with 422 and stores nothing', async () => {
    const { customerId } = await acquire(api);
    const key = randomUUID();
    expect((await contact(customerId, key, { summary: 'one' })).status).toBe(200);

    await expectRejected(api, () => contact(customerId, key, { summary: 'two' }), 422, 'IDEMPOTENCY_KEY_REUSED');
    await expectRejected(
      api,
      () => api.http().post(`/v1/customers/${customerId}/feedback`).set(api.auth('service')).set('Idempotency-Key', key).send({ csat: 3 }),
      422,
      'IDEMPOTENCY_KEY_REUSED',
    );
    const { customerId: other } = await acquire(api);
    await expectRejected(api, () => contact(other, key, { summary: 'one' }), 422, 'IDEMPOTENCY_KEY_REUSED');
    expect(await historyOf(api, customerId)).toHaveLength(2);
  });

  it('keeps the keys of different API keys apart', async () => {
    const { customerId } = await acquire(api);
    const key = randomUUID();
    const mine = await contact(customerId, key, { summary: 'same' });
    const theirs = await contact(customerId, key, { summary: 'same' }, { Authorization: `Bearer ${SECOND_SERVICE_KEY}` });
    const theirsOtherBody = await contact(customerId, `${key}-2`, { summary: 'x' }, { Authorization: `Bearer ${SECOND_SERVICE_KEY}` });
    const mineOther = await contact(customerId, `${key}-2`, { summary: 'y' });

    expect([mine.status, theirs.status, theirsOtherBody.status, mineOther.status]).toEqual([200, 200, 200, 200]);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(mineOther.headers['idempotent-replayed']).toBeUndefined();
    expect([mine.body.revision, theirs.body.revision, theirsOtherBody.body.revision, mineOther.body.revision]).toEqual([1, 2, 3, 4]);
    const events = await historyOf(api, customerId);
    expect(events).toHaveLength(5);
    expect(new Set(events.slice(1).map((e) => e.metadata.actor.id)).size).toBe(2);
  });

  it('gives 20 concurrent requests with one key one effect and identical replies', async () => {
    const { customerId } = await acquire(api);
    const key = randomUUID();
    const replies = await Promise.all(Array.from({ length: 20 }, () => contact(customerId, key)));

    const statuses = replies.map((r) => r.status);
    expect(statuses).toEqual(Array(20).fill(200));
    for (const r of replies) expect(r.body).toEqual(replies[0].body);
    expect(replies[0].body).toEqual({ customerId, revision: 1, position: expect.any(Number) });
    expect(replies.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
    expect(await historyOf(api, customerId)).toHaveLength(2);
  });

  it('gives 20 concurrent acquisitions without customerId under one key one customer', async () => {
    const key = randomUUID();
    const { customerId: _omitted, ...body } = newCustomer();
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => api.http().post('/v1/customers').set(api.auth('service')).set('Idempotency-Key', key).send(body)),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(20).fill(201));
    for (const r of replies) expect(r.body).toEqual(replies[0].body);
    const { events } = await exportLog(api);
    expect(events.filter((e) => e.type === 'CustomerAcquired' && e.data.email === body.email)).toHaveLength(1);
  });

  it('does not apply to reads: an Idempotency-Key on GET is ignored', async () => {
    const { customerId } = await acquire(api);
    const key = randomUUID();
    const before = await api.http().get(`/v1/customers/${customerId}/history`).set(api.auth('auditor')).set('Idempotency-Key', key);
    await contact(customerId, randomUUID());
    const after = await api.http().get(`/v1/customers/${customerId}/history`).set(api.auth('auditor')).set('Idempotency-Key', key);
    expect(before.body.events).toHaveLength(1);
    expect(after.body.events).toHaveLength(2);
    expect(after.headers['idempotent-replayed']).toBeUndefined();
  });

  describe('across a restart', () => {
    it('still replays a stored reply, success or rejection, after restart', async () => {
      const { customerId } = await acquire(api);
      const key = randomUUID();
      const rejectedKey = randomUUID();
      const first = await contact(customerId, key);
      const rejected = await api
        .http()
        .post(`/v1/customers/${customerId}/reactivation`)
        .set(api.auth('service'))
        .set('Idempotency-Key', rejectedKey)
        .send({});
      expectApiError(rejected, 409, 'CUSTOMER_NOT_CHURNED');

      api = await api.restart();
      await api.http().post(`/v1/customers/${customerId}/churn`).set(api.auth('service')).send({ reason: 'r' });

      const retry = await contact(customerId, key);
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      const retryRejected = await api
        .http()
        .post(`/v1/customers/${customerId}/reactivation`)
        .set(api.auth('service'))
        .set('Idempotency-Key', rejectedKey)
        .send({});
      expectApiError(retryRejected, 409, 'CUSTOMER_NOT_CHURNED');
      expect(retryRejected.body).toEqual(rejected.body);
      expect((await historyOf(api, customerId)).map((e) => e.type)).toEqual(['CustomerAcquired', 'CustomerContacted', 'CustomerChurned']);
    });

    it('gives a retried acquisition without customerId the same customerId after restart', async () => {
      const key = randomUUID();
      const { customerId: _omitted, ...body } = newCustomer();
      const send = () => api.http().post('/v1/customers').set(api.auth('service')).set('Idempotency-Key', key).send(body);
      const first = await send();
      expect(first.status).toBe(201);

      api = await api.restart();
      const retry = await send();
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      const { events } = await exportLog(api);
      expect(events.filter((e) => e.type === 'CustomerAcquired' && e.data.email === body.email).map((e) => e.customerId)).toEqual([
        first.body.customerId,
      ]);
    });
  });
});
