import { newCustomer } from '../support/customers';
import { startTestApi, type TestApi } from '../support/api-harness';

describe('command API smoke', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api.destroy());

  it('acquires a customer, records a purchase and shows them in history', async () => {
    const body = newCustomer();
    const created = await api.http().post('/v1/customers').set(api.auth('service')).send(body);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ customerId: body.customerId, revision: 0, position: expect.any(Number) });

    const bought = await api
      .http()
      .post(`/v1/customers/${body.customerId}/purchases`)
      .set(api.auth('service'))
      .send({ orderId: 'o-1', amountMinor: 1999, currency: 'CNY' });
    expect(bought.status).toBe(200);
    expect(bought.body.revision).toBe(1);

    const history = await api.http().get(`/v1/customers/${body.customerId}/history`).set(api.auth('auditor'));
    expect(history.status).toBe(200);
    expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['CustomerAcquired', 'PurchaseRecorded']);
    expect(history.body.events[0].data.name).toBe(body.name);
  });
});
