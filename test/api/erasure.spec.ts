import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApi, type TestApi } from '../support/api-harness';
import {
  acquire,
  type AuditedEvent,
  call,
  CUSTOMER_COMMANDS,
  expectApiError,
  expectRejected,
  exportLog,
  historyOf,
  nationalMobile,
  stateOf,
} from '../support/api-client';
import { newCustomer } from '../support/customers';

const ERASED = '[erased]';

/** Every file under `dir`, recursively: the SQLite files and their -wal / -shm companions included. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The needles found in the raw bytes of any file of the data folder, as `file: needle`. */
function plaintextIn(dir: string, needles: string[]): string[] {
  const found: string[] = [];
  for (const file of filesUnder(dir)) {
    const bytes = readFileSync(file);
    for (const needle of needles) if (bytes.includes(Buffer.from(needle, 'utf8'))) found.push(`${file}: ${needle}`);
  }
  return found;
}

/** A customer with personal data in every kind of event that can hold some. */
async function customerWithHistory(api: TestApi) {
  const token = randomUUID().slice(0, 8);
  const national = nationalMobile();
  const formerNational = nationalMobile();
  const personal = {
    formerName: `Wang Xiaofang ${token}`,
    formerEmail: `xiaofang.${token}@example.com`,
    formerPhone: `+86${formerNational}`,
    name: `Wang Fang ${token}`,
    email: `wang.fang.${token}@example.com`,
    phone: `+86${national}`,
    summary: `discussed the wedding order ${token}`,
    description: `the courier was rude at gate ${token}`,
    resolution: `apologised and refunded ${token}`,
    comment: `lovely tea but slow ${token}`,
    churnReason: `moving to Chengdu ${token}`,
    reactivationReason: `back from Chengdu ${token}`,
  };
  const { customerId } = await acquire(api, { name: personal.formerName, email: personal.formerEmail, phone: formerNational });
  const service = api.auth('service');
  const post = (path: string, body: object) => api.http().post(`/v1/customers/${customerId}${path}`).set(service).send(body);
  const replies = [
    await api.http().patch(`/v1/customers/${customerId}/profile`).set(service).send({ name: personal.name, email: personal.email, phone: national }),
    await post('/contacts', { channel: 'phone', direction: 'outbound', outcome: 'reached', summary: personal.summary }),
    await post('/purchases', { orderId: `order-${token}`, amountMinor: 88_800, currency: 'CNY' }),
    await post('/complaints', { complaintId: `cmp-${token}`, category: 'delivery', severity: 'high', description: personal.description }),
    await post(`/complaints/cmp-${token}/resolution`, { resolution: personal.resolution, satisfaction: 3 }),
    await post('/feedback', { csat: 4, nps: 7, comment: personal.comment }),
    await post('/churn', { reason: personal.churnReason }),
    await post('/reactivation', { reason: personal.reactivationReason }),
  ];
  for (const res of replies) expect(res.status).toBeLessThan(300);
  const needles = [...Object.values(personal), national, formerNational, personal.email.toUpperCase()];
  return { customerId, token, national, personal, needles };
}

function factsOf(events: AuditedEvent[]) {
  return events.map((e) => ({
    type: e.type,
    revision: e.revision,
    position: e.position,
    metadata: e.metadata,
    facts: Object.fromEntries(
      Object.entries(e.data).filter(([k]) => !['name', 'email', 'phone', 'summary', 'description', 'resolution', 'comment', 'reason'].includes(k)),
    ),
  }));
}

describe('erasure of personal data', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api.destroy());

  const erase = (customerId: string) => api.http().delete(`/v1/customers/${customerId}/personal-data`).set(api.auth('admin'));

  it('keeps personal data encrypted at rest: no plaintext in the data folder even before erasure', async () => {
    const { needles, customerId, personal } = await customerWithHistory(api);
    // The API does show it to auditors, so the values are really in the log.
    expect((await historyOf(api, customerId))[0].data.name).toBe(personal.formerName);
    expect(plaintextIn(api.dataDir, needles)).toEqual([]);
  });

  it('shows "[erased]" for every personal field in history, state and export, keeping the facts', async () => {
    const { customerId, token, personal } = await customerWithHistory(api);
    const before = await historyOf(api, customerId);

    const res = await erase(customerId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ customerId, revision: 9, position: expect.any(Number) });

    const after = await historyOf(api, customerId);
    expect(after.map((e) => e.type)).toEqual([
      'CustomerAcquired',
      'ProfileUpdated',
      'CustomerContacted',
      'PurchaseRecorded',
      'ComplaintFiled',
      'ComplaintResolved',
      'FeedbackGiven',
      'CustomerChurned',
      'CustomerReactivated',
      'PersonalDataErased',
    ]);
    expect(factsOf(after.slice(0, 9))).toEqual(factsOf(before));
    expect(after[0].data).toMatchObject({ name: ERASED, email: ERASED, phone: ERASED, channel: 'web', type: 'consumer', region: 'east', tags: ['trial'] });
    expect(after[1].data).toEqual({ customerId, name: ERASED, email: ERASED, phone: ERASED });
    expect(after[2].data).toMatchObject({ summary: ERASED, channel: 'phone', direction: 'outbound', outcome: 'reached' });
    expect(after[3].data).toEqual({ customerId, orderId: `order-${token}`, amountMinor: 88_800, currency: 'CNY' });
    expect(after[4].data).toMatchObject({ description: ERASED, category: 'delivery', severity: 'high', complaintId: `cmp-${token}` });
    expect(after[5].data).toMatchObject({ resolution: ERASED, satisfaction: 3 });
    expect(after[6].data).toMatchObject({ comment: ERASED, csat: 4, nps: 7 });
    expect(after[7].data).toMatchObject({ reason: ERASED });
    expect(after[8].data).toMatchObject({ reason: ERASED });
    expect(after[9].data).toEqual({ customerId });

    const { state } = await stateOf(api, customerId);
    expect(state).toMatchObject({
      erased: true,
      name: ERASED,
      email: ERASED,
      phone: ERASED,
      purchaseCount: 1,
      totalSpendMinor: 88_800,
      stage: 'reactivated',
      csatLast: 4,
      npsLast: 7,
    });

    const { res: exported, events } = await exportLog(api);
    expect(events.filter((e) => e.customerId === customerId)).toEqual(after);
    for (const value of Object.values(personal)) expect(exported.text).not.toContain(value);
    expect(JSON.stringify(after)).not.toContain(token + '@');
  });

  it('leaves no plaintext personal data anywhere in the data folder after erasure', async () => {
    const { customerId, needles } = await customerWithHistory(api);
    expect((await erase(customerId)).status).toBe(200);
    expect(plaintextIn(api.dataDir, needles)).toEqual([]);
    expect(filesUnder(api.dataDir).length).toBeGreaterThan(0);
  });

  it('frees the email and phone for a new customer', async () => {
    const { customerId, personal, national } = await customerWithHistory(api);
    expect((await erase(customerId)).status).toBe(200);

    const res = await api.http().post('/v1/customers').set(api.auth('service')).send(newCustomer({ email: personal.email.toUpperCase(), phone: national }));
    expect(res.status).toBe(201);
    const [event] = await historyOf(api, res.body.customerId);
    expect(event.data).toMatchObject({ email: personal.email, phone: personal.phone });
  });

  it('refuses every later command on the erased customer with 409 CUSTOMER_ERASED, storing nothing', async () => {
    const { customerId } = await acquire(api);
    expect((await erase(customerId)).status).toBe(200);

    const commands = CUSTOMER_COMMANDS.filter((e) => e.name !== 'erase personal data');
    expect(commands).toHaveLength(9);
    for (const endpoint of commands) {
      const res = await expectRejected(api, () => call(api, endpoint, customerId), 409, 'CUSTOMER_ERASED');
      expect(res.body.error.message).not.toContain(ERASED);
    }
    // The id stays taken: acquiring it again is a conflict, not a new customer.
    await expectRejected(
      api,
      () => api.http().post('/v1/customers').set(api.auth('service')).send(newCustomer({ customerId })),
      409,
      'CUSTOMER_EXISTS',
    );
    expect(await historyOf(api, customerId)).toHaveLength(2);
  });

  it('answers a second erasure with 200 and the same revision, recording nothing', async () => {
    const { customerId } = await customerWithHistory(api);
    const first = await erase(customerId);
    const second = await expectNoNewEvents(() => erase(customerId));
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect((await historyOf(api, customerId)).filter((e) => e.type === 'PersonalDataErased')).toHaveLength(1);
  });

  it('stays erased after a restart', async () => {
    const { customerId, needles } = await customerWithHistory(api);
    expect((await erase(customerId)).status).toBe(200);

    api = await api.restart();

    const events = await historyOf(api, customerId);
    expect(events[0].data).toMatchObject({ name: ERASED, email: ERASED, phone: ERASED });
    expect(events[1].data).toMatchObject({ name: ERASED, email: ERASED });
    expect(events[2].data.summary).toBe(ERASED);
    expect((await stateOf(api, customerId)).state).toMatchObject({ erased: true, name: ERASED });
    const res = await api.http().post(`/v1/customers/${customerId}/feedback`).set(api.auth('service')).send({ csat: 5, comment: 'new' });
    expectApiError(res, 409, 'CUSTOMER_ERASED');
    expect(plaintextIn(api.dataDir, needles)).toEqual([]);
  });

  describe('uniqueness among live customers', () => {
    it('lets a new customer take a churned customer\'s email; reactivating the churned one then fails naming the new holder', async () => {
      const email = `churned-${randomUUID().slice(0, 8)}@example.com`;
      const { customerId: churned } = await acquire(api, { email });
      expect((await api.http().post(`/v1/customers/${churned}/churn`).set(api.auth('service')).send({ reason: 'left' })).status).toBe(200);

      const { customerId: holder } = await acquire(api, { email });

      await expectRejected(
        api,
        () => api.http().post(`/v1/customers/${churned}/reactivation`).set(api.auth('service')).send({}),
        409,
        'DUPLICATE_EMAIL',
        { existingCustomerId: holder },
      );
      expect((await stateOf(api, churned)).state.stage).toBe('churned');

      // Once the new holder moves to another email, the churned customer can come back.
      const moved = await api.http().patch(`/v1/customers/${holder}/profile`).set(api.auth('service')).send({ email: `moved-${email}` });
      expect(moved.status).toBe(200);
      const back = await api.http().post(`/v1/customers/${churned}/reactivation`).set(api.auth('service')).send({});
      expect(back.status).toBe(200);
      await expectRejected(api, () => api.http().post('/v1/customers').set(api.auth('service')).send(newCustomer({ email })), 409, 'DUPLICATE_EMAIL', {
        existingCustomerId: churned,
      });
    });

    it('lets a new customer take a churned customer\'s phone; reactivation then fails with DUPLICATE_PHONE', async () => {
      const national = nationalMobile();
      const { customerId: churned } = await acquire(api, { phone: national });
      await api.http().post(`/v1/customers/${churned}/churn`).set(api.auth('service')).send({ reason: 'left' });
      const { customerId: holder } = await acquire(api, { phone: `+86${national}` });
      await expectRejected(
        api,
        () => api.http().post(`/v1/customers/${churned}/reactivation`).set(api.auth('service')).send({ reason: 'offer' }),
        409,
        'DUPLICATE_PHONE',
        { existingCustomerId: holder },
      );
    });
  });

  async function expectNoNewEvents(send: () => ReturnType<typeof erase>) {
    const before = await exportLog(api);
    const res = await send();
    expect((await exportLog(api)).events).toEqual(before.events);
    return res;
  }
});
