import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../support/api-harness';
import { acquire, expectRejected, exportLog, historyOf, nationalMobile, stateOf } from '../support/api-client';
import { newCustomer } from '../support/customers';

describe('restart', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api.destroy());

  const service = () => api.auth('service');

  it('keeps state, history and the global log across a restart, and continues revisions and positions', async () => {
    const email = `keep-${randomUUID().slice(0, 8)}@example.com`;
    const { customerId } = await acquire(api, { email });
    await api.http().post(`/v1/customers/${customerId}/contacts`).set(service()).send({ channel: 'email', direction: 'outbound', outcome: 'reached', summary: 'hello' });
    await api.http().post(`/v1/customers/${customerId}/purchases`).set(service()).send({ orderId: 'o-1', amountMinor: 300, currency: 'CNY' });
    await api.http().post(`/v1/customers/${customerId}/complaints`).set(service()).send({ complaintId: 'c-1', category: 'x', severity: 'low', description: 'd' });
    const other = await acquire(api);

    const historyBefore = await historyOf(api, customerId);
    const stateBefore = await stateOf(api, customerId);
    const logBefore = await exportLog(api);

    api = await api.restart();

    expect(await historyOf(api, customerId)).toEqual(historyBefore);
    expect(await stateOf(api, customerId)).toEqual(stateBefore);
    expect((await exportLog(api)).events).toEqual(logBefore.events);
    expect(stateBefore.state).toMatchObject({ stage: 'converted', purchaseCount: 1, email });

    const next = await api.http().post(`/v1/customers/${customerId}/purchases`).set(service()).send({ orderId: 'o-2', amountMinor: 200, currency: 'CNY' });
    expect(next.status).toBe(200);
    expect(next.body.revision).toBe(4);
    const lastBefore = logBefore.events[logBefore.events.length - 1].position;
    expect(next.body.position).toBeGreaterThan(lastBefore);
    const again = await api.http().post(`/v1/customers/${other.customerId}/feedback`).set(service()).send({ nps: 10 });
    expect(again.body).toEqual({ customerId: other.customerId, revision: 1, position: expect.any(Number) });
    expect(again.body.position).toBeGreaterThan(next.body.position);

    const { events } = await exportLog(api);
    for (let i = 1; i < events.length; i++) expect(events[i].position).toBeGreaterThan(events[i - 1].position);
    expect((await stateOf(api, customerId)).state).toMatchObject({ stage: 'retained', purchaseCount: 2, totalSpendMinor: 500 });
  });

  it('keeps business rules that depend on past events: repeated orders, open complaints, existing ids', async () => {
    const { customerId, body } = await acquire(api);
    const first = await api.http().post(`/v1/customers/${customerId}/purchases`).set(service()).send({ orderId: 'o-keep', amountMinor: 100, currency: 'CNY' });
    await api.http().post(`/v1/customers/${customerId}/complaints`).set(service()).send({ complaintId: 'c-keep', category: 'x', severity: 'low', description: 'd' });
    await api.http().post(`/v1/customers/${customerId}/churn`).set(service()).send({ reason: 'r' });

    api = await api.restart();

    await expectRejected(api, () => api.http().post('/v1/customers').set(service()).send({ ...body }), 409, 'CUSTOMER_EXISTS');
    await expectRejected(
      api,
      () => api.http().post(`/v1/customers/${customerId}/contacts`).set(service()).send({ channel: 'sms', direction: 'inbound', outcome: 'reached' }),
      409,
      'CUSTOMER_CHURNED',
    );
    await expectRejected(api, () => api.http().post(`/v1/customers/${customerId}/churn`).set(service()).send({ reason: 'r' }), 409, 'CUSTOMER_ALREADY_CHURNED');
    expect((await api.http().post(`/v1/customers/${customerId}/reactivation`).set(service()).send({})).status).toBe(200);
    const repeated = await api.http().post(`/v1/customers/${customerId}/purchases`).set(service()).send({ orderId: 'o-keep', amountMinor: 100, currency: 'CNY' });
    expect(repeated.status).toBe(200);
    expect(repeated.body.revision).toBe(4);
    expect(repeated.body.position).toBeGreaterThan(first.body.position);
    await expectRejected(
      api,
      () => api.http().post(`/v1/customers/${customerId}/complaints`).set(service()).send({ complaintId: 'c-keep', category: 'x', severity: 'low', description: 'd' }),
      409,
      'COMPLAINT_EXISTS',
    );
    expect((await api.http().post(`/v1/customers/${customerId}/complaints/c-keep/resolution`).set(service()).send({ resolution: 'done' })).status).toBe(200);
  });

  it('keeps email and phone reservations across a restart', async () => {
    const email = `reserved-${randomUUID().slice(0, 8)}@example.com`;
    const national = nationalMobile();
    const { customerId } = await acquire(api, { email, phone: national });

    api = await api.restart();

    await expectRejected(api, () => api.http().post('/v1/customers').set(service()).send(newCustomer({ email })), 409, 'DUPLICATE_EMAIL', {
      existingCustomerId: customerId,
    });
    await expectRejected(api, () => api.http().post('/v1/customers').set(service()).send(newCustomer({ phone: `+86${national}` })), 409, 'DUPLICATE_PHONE', {
      existingCustomerId: customerId,
    });
  });

  it('keeps a released reservation released across a restart', async () => {
    const email = `released-${randomUUID().slice(0, 8)}@example.com`;
    const { customerId } = await acquire(api, { email });
    expect((await api.http().patch(`/v1/customers/${customerId}/profile`).set(service()).send({ email: null })).status).toBe(200);

    api = await api.restart();

    const res = await api.http().post('/v1/customers').set(service()).send(newCustomer({ email }));
    expect(res.status).toBe(201);
  });

  it('survives several restarts in a row with nothing lost', async () => {
    const { customerId } = await acquire(api);
    for (let i = 0; i < 3; i++) {
      const res = await api.http().put(`/v1/customers/${customerId}/owner`).set(service()).send({ ownerId: `owner-${i}` });
      expect(res.body.revision).toBe(i + 1);
      api = await api.restart();
    }
    expect((await historyOf(api, customerId)).map((e) => e.type)).toEqual(['CustomerAcquired', 'OwnerAssigned', 'OwnerAssigned', 'OwnerAssigned']);
    expect((await stateOf(api, customerId)).state.ownerId).toBe('owner-2');
  });
});
