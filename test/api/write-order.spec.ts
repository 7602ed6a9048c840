import { readlinkSync } from 'node:fs';
import { startTestApi, type TestApi } from '../support/api-harness';
import { newCustomer } from '../support/customers';

// The module object itself (a namespace import would be a copy): the stores call fs.fsync through it.
const fs = require('node:fs') as typeof import('node:fs');

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
    const fsync = fs.fsync;
    let release: (() => void) | null = null;
    jest.spyOn(fs, 'fsync').mockImplementation(((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
      const file = readlinkSync(`/proc/self/fd/${fd}`);
      if (release === null && file.endsWith('commands.db-wal')) release = () => fsync(fd, callback);
      else fsync(fd, callback);
    }) as typeof fs.fsync);

    const body = newCustomer();
    const replied = api.http().post('/v1/customers').set(api.auth('service')).send(body).then((res) => res);
    let during: number;
    try {
      const until = Date.now() + 5_000;
      while (release === null && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(release).not.toBeNull();
      // Give the command every chance to append before the reservation is durable.
      await new Promise((resolve) => setTimeout(resolve, 200));
      during = (await api.http().get(`/v1/customers/${body.customerId}/history`).set(api.auth('auditor'))).status;
    } finally {
      (release as (() => void) | null)?.();
    }
    expect(during).toBe(404);
    const res = await replied;
    expect(res.status).toBe(201);
    const after = await api.http().get(`/v1/customers/${body.customerId}/history`).set(api.auth('auditor'));
    expect(after.body.events.map((e: { type: string }) => e.type)).toEqual(['CustomerAcquired']);
  });
});
