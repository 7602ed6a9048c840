import { startTestApi, type TestApi } from '../support/api-harness';
import { newCustomer } from '../support/customers';
import { holdNextFsync } from '../../libs/sqlite/src/testing/hold-fsync';

/*
 * An acquisition writes three stores: the contact reservation (commands.db), the customer's key
 * (keys.db) and the event (events.db). The event is appended only once the other two are on disk:
 * after a crash, a customer on record always has its key and its reservation. (Overlapping the two
 * fsyncs was tried for speed and gained nothing on one disk.) Embedded stack only: it holds the
 * fsync of the SQLite command store.
 */
describe('write order of an acquisition (embedded stores)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ stack: 'embedded' });
  });
  afterAll(async () => api.destroy());
  afterEach(() => jest.restoreAllMocks());

  it('appends the event only after the contact reservation is on disk', async () => {
    const fsync = holdNextFsync((file) => file.endsWith('commands.db-wal'));

    const body = newCustomer();
    const replied = api.http().post('/v1/customers').set(api.auth('service')).send(body).then((res) => res);
    let during: number;
    try {
      const until = Date.now() + 5_000;
      while (!fsync.held && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(fsync.held).toBe(true);
      // Give the command every chance to append before the reservation is durable.
      await new Promise((resolve) => setTimeout(resolve, 200));
      during = (await api.http().get(`/v1/customers/${body.customerId}/history`).set(api.auth('auditor'))).status;
    } finally {
      fsync.release();
    }
    expect(during).toBe(404);
    const res = await replied;
    expect(res.status).toBe(201);
    const after = await api.http().get(`/v1/customers/${body.customerId}/history`).set(api.auth('auditor'));
    expect(after.body.events.map((e: { type: string }) => e.type)).toEqual(['CustomerAcquired']);
  });
});
