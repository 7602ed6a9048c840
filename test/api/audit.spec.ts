import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi } from '../support/api-harness';
import { acquire, expectApiError, exportLog, failedFields, historyOf, stateOf } from '../support/api-client';
import { newCustomer } from '../support/customers';
import { TestClock } from '../support/test-clock';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('audit API', () => {
  let api: TestApi;
  const clock = new TestClock('2024-01-15T10:00:00.000Z');

  beforeAll(async () => {
    api = await startTestApi({ clock });
  });
  afterAll(async () => api.destroy());

  const service = () => api.auth('service');
  const auditor = () => api.auth('auditor');
  const contact = (customerId: string, extra: object = {}) =>
    api
      .http()
      .post(`/v1/customers/${customerId}/contacts`)
      .set(service())
      .send({ channel: 'visit', direction: 'inbound', outcome: 'follow-up-needed', ...extra });

  describe('GET /v1/customers/:id/history', () => {
    it('lists the events in order with their full metadata', async () => {
      clock.set('2024-01-15T10:00:00.000Z');
      const { customerId, body } = await acquire(api);
      clock.advance(1000);
      await contact(customerId, { occurredAt: '2024-01-14T08:00:00.000Z' });
      clock.advance(1000);
      await api.http().delete(`/v1/customers/${customerId}/personal-data`).set(api.auth('admin'));

      const res = await api.http().get(`/v1/customers/${customerId}/history`).set(auditor());
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['customerId', 'events', 'nextRevision']);
      expect(res.body.customerId).toBe(customerId);
      expect(res.body.nextRevision).toBeNull();
      const events = res.body.events;
      expect(events.map((e: { type: string }) => e.type)).toEqual(['CustomerAcquired', 'CustomerContacted', 'PersonalDataErased']);
      expect(events.map((e: { revision: number }) => e.revision)).toEqual([0, 1, 2]);
      expect(events[0].position).toBeLessThan(events[1].position);
      expect(events[1].position).toBeLessThan(events[2].position);

      const expectedTimes = [
        ['2024-01-15T10:00:00.000Z', '2024-01-15T10:00:00.000Z', 'service'],
        ['2024-01-14T08:00:00.000Z', '2024-01-15T10:00:01.000Z', 'service'],
        ['2024-01-15T10:00:02.000Z', '2024-01-15T10:00:02.000Z', 'admin'],
      ];
      events.forEach((event: Record<string, any>, i: number) => {
        const [occurredAt, recordedAt, role] = expectedTimes[i];
        expect(event).toEqual({
          eventId: expect.stringMatching(UUID),
          customerId,
          type: expect.any(String),
          revision: i,
          position: expect.any(Number),
          data: expect.objectContaining({ customerId }),
          metadata: {
            eventId: event.eventId,
            commandId: expect.stringMatching(UUID),
            correlationId: event.metadata.commandId,
            causationId: event.metadata.commandId,
            actor: { id: expect.stringMatching(/^key-[0-9a-f]{12}$/), role },
            occurredAt,
            recordedAt,
            schemaVersion: 1,
          },
        });
      });
      expect(new Set(events.map((e: { eventId: string }) => e.eventId)).size).toBe(3);
      expect(new Set(events.map((e: { metadata: { commandId: string } }) => e.metadata.commandId)).size).toBe(3);
      expect(events[0].metadata.actor.id).not.toBe(events[2].metadata.actor.id);
      expect(events[0].data.name).toBe('[erased]');
      expect(body.name).not.toBe('[erased]');
    });

    it('records X-Correlation-Id and X-Causation-Id in the metadata', async () => {
      const { customerId } = await acquire(api);
      const correlationId = `corr-${randomUUID()}`;
      const causationId = `cause-${randomUUID()}`;
      await contact(customerId).set('X-Correlation-Id', correlationId).set('X-Causation-Id', causationId);
      await contact(customerId).set('X-Correlation-Id', correlationId);

      const events = await historyOf(api, customerId);
      expect(events[1].metadata).toMatchObject({ correlationId, causationId });
      expect(events[1].metadata.commandId).not.toBe(correlationId);
      // Without a causation id the event is caused by what the correlation id names.
      expect(events[2].metadata).toMatchObject({ correlationId, causationId: correlationId });
    });

    it('pages with fromRevision and limit, pointing at the next page with nextRevision', async () => {
      const { customerId } = await acquire(api);
      for (let i = 0; i < 6; i++) await contact(customerId, { summary: `contact ${i}` });

      const page = async (query: string) => {
        const res = await api.http().get(`/v1/customers/${customerId}/history${query}`).set(auditor());
        expect(res.status).toBe(200);
        return { revisions: res.body.events.map((e: { revision: number }) => e.revision), next: res.body.nextRevision };
      };
      expect(await page('?limit=3')).toEqual({ revisions: [0, 1, 2], next: 3 });
      expect(await page('?fromRevision=3&limit=3')).toEqual({ revisions: [3, 4, 5], next: 6 });
      expect(await page('?fromRevision=6&limit=3')).toEqual({ revisions: [6], next: null });
      expect(await page('?fromRevision=2&limit=1')).toEqual({ revisions: [2], next: 3 });
      expect(await page('?fromRevision=5')).toEqual({ revisions: [5, 6], next: null });
      expect(await page('?fromRevision=7')).toEqual({ revisions: [], next: null });
      expect(await page('?fromRevision=100&limit=5')).toEqual({ revisions: [], next: null });

      const all: number[] = [];
      let next: number | null = 0;
      while (next !== null) {
        const p: { revisions: number[]; next: number | null } = await page(`?fromRevision=${next}&limit=2`);
        all.push(...p.revisions);
        next = p.next;
      }
      expect(all).toEqual([0, 1, 2, 3, 4, 5, 6]);
    });

    it('shows personal data to auditors and refuses analysts and services', async () => {
      const { customerId, body } = await acquire(api);
      await contact(customerId, { summary: 'talked about the renewal' });
      const events = await historyOf(api, customerId);
      expect(events[0].data).toMatchObject({ name: body.name, email: body.email, phone: body.phone });
      expect(events[1].data.summary).toBe('talked about the renewal');

      for (const role of ['analyst', 'service'] as const) {
        for (const path of [`/v1/customers/${customerId}/history`, `/v1/customers/${customerId}/state`, '/v1/audit/events']) {
          const res = await api.http().get(path).set(api.auth(role));
          expectApiError(res, 403, 'FORBIDDEN');
          expect(JSON.stringify(res.body)).not.toContain(body.name as string);
        }
      }
      const asAdmin = await api.http().get(`/v1/customers/${customerId}/history`).set(api.auth('admin'));
      expect(asAdmin.status).toBe(200);
      expect(asAdmin.body.events[0].data.email).toBe(body.email);
    });
  });

  describe('GET /v1/customers/:id/state', () => {
    let customerId: string;
    const t = {
      acquired: '2024-02-01T09:00:00.000Z',
      contacted: '2024-02-02T09:00:00.000Z',
      purchased: '2024-02-03T09:00:00.000Z',
      churned: '2024-02-04T09:00:00.000Z',
    };

    beforeAll(async () => {
      clock.set(t.acquired);
      customerId = (await acquire(api)).customerId;
      clock.set(t.contacted);
      // Back-dated business time: what matters for asOf is when the system learned of it.
      await contact(customerId, { occurredAt: '2024-01-01T00:00:00.000Z' });
      clock.set(t.purchased);
      await api.http().post(`/v1/customers/${customerId}/purchases`).set(service()).send({ orderId: 'o-1', amountMinor: 4200, currency: 'CNY' });
      clock.set(t.churned);
      await api.http().post(`/v1/customers/${customerId}/churn`).set(service()).send({ reason: 'moved' });
    });

    it('folds all events by default', async () => {
      const body = await stateOf(api, customerId);
      expect(body).toMatchObject({ customerId, revision: 3, position: expect.any(Number) });
      expect(body.state).toMatchObject({ exists: true, stage: 'churned', purchaseCount: 1, totalSpendMinor: 4200, contactCount: 1 });
      expect(body.asOf).toBeUndefined();
      expect(body.atRevision).toBeUndefined();
    });

    it('folds up to a revision with atRevision', async () => {
      const history = await historyOf(api, customerId);
      const stages = [];
      for (let revision = 0; revision <= 3; revision++) {
        const body = await stateOf(api, customerId, `?atRevision=${revision}`);
        expect(body).toMatchObject({ revision, atRevision: revision, position: history[revision].position });
        stages.push(body.state.stage);
      }
      expect(stages).toEqual(['acquired', 'engaged', 'converted', 'churned']);
      expect((await stateOf(api, customerId, '?atRevision=99')).revision).toBe(3);
    });

    it('folds the events recorded up to asOf, whatever their business time', async () => {
      const at = async (asOf: string) => {
        const body = await stateOf(api, customerId, `?asOf=${encodeURIComponent(asOf)}`);
        return { revision: body.revision, stage: body.state.stage, asOf: body.asOf };
      };
      expect(await at('2024-02-01T12:00:00.000Z')).toEqual({ revision: 0, stage: 'acquired', asOf: '2024-02-01T12:00:00.000Z' });
      // The contact happened (business time) in January, but the system only knew of it on Feb 2.
      expect(await at('2024-02-02T08:59:59.999Z')).toEqual({ revision: 0, stage: 'acquired', asOf: '2024-02-02T08:59:59.999Z' });
      expect(await at(t.contacted)).toEqual({ revision: 1, stage: 'engaged', asOf: t.contacted });
      expect(await at('2024-02-03T17:00:00+08:00')).toEqual({ revision: 2, stage: 'converted', asOf: '2024-02-03T09:00:00.000Z' });
      expect(await at('2030-01-01T00:00:00Z')).toEqual({ revision: 3, stage: 'churned', asOf: '2030-01-01T00:00:00.000Z' });
    });

    it('answers revision -1 and exists false for an asOf before the customer was created', async () => {
      const body = await stateOf(api, customerId, `?asOf=${encodeURIComponent('2024-01-31T23:59:59.999Z')}`);
      expect(body).toMatchObject({ customerId, revision: -1, position: 0, asOf: '2024-01-31T23:59:59.999Z' });
      expect(body.state).toMatchObject({ exists: false, stage: null, purchaseCount: 0 });
    });

    it('refuses asOf and atRevision together with 400', async () => {
      const res = await api
        .http()
        .get(`/v1/customers/${customerId}/state?asOf=${encodeURIComponent(t.purchased)}&atRevision=1`)
        .set(auditor());
      expectApiError(res, 400, 'VALIDATION_FAILED');
      expect(failedFields(res)).toEqual(['asOf']);
    });
  });

  describe('GET /v1/audit/events', () => {
    it('streams the global log as NDJSON: one event a line, positions strictly increasing', async () => {
      const a = await acquire(api);
      const b = await acquire(api);
      await contact(a.customerId);
      await contact(b.customerId);

      const { res, events } = await exportLog(api);
      expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(res.text.endsWith('\n')).toBe(true);
      const lines = res.text.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines).toHaveLength(events.length);
      for (const line of lines) expect(JSON.parse(line)).toEqual(expect.objectContaining({ eventId: expect.stringMatching(UUID) }));
      for (let i = 1; i < events.length; i++) expect(events[i].position).toBeGreaterThan(events[i - 1].position);
      const mine = events.filter((e) => e.customerId === a.customerId || e.customerId === b.customerId);
      expect(mine.map((e) => [e.customerId, e.type])).toEqual([
        [a.customerId, 'CustomerAcquired'],
        [b.customerId, 'CustomerAcquired'],
        [a.customerId, 'CustomerContacted'],
        [b.customerId, 'CustomerContacted'],
      ]);
      expect(mine[0]).toEqual({
        eventId: expect.stringMatching(UUID),
        customerId: a.customerId,
        type: 'CustomerAcquired',
        revision: 0,
        position: a.reply.position,
        data: expect.objectContaining({ name: a.body.name, email: a.body.email }),
        metadata: expect.objectContaining({ recordedAt: expect.any(String), actor: { id: expect.any(String), role: 'service' } }),
      });
    });

    it('starts at fromPosition (inclusive) and stops after limit events', async () => {
      const created = [];
      for (let i = 0; i < 4; i++) created.push(await acquire(api));
      const from = created[1].reply.position;

      const { events: fromSecond } = await exportLog(api, `?fromPosition=${from}`);
      expect(fromSecond[0].position).toBe(from);
      expect(fromSecond.slice(0, 3).map((e) => e.customerId)).toEqual(created.slice(1).map((c) => c.customerId));

      const { events: two } = await exportLog(api, `?fromPosition=${from}&limit=2`);
      expect(two.map((e) => e.position)).toEqual([created[1].reply.position, created[2].reply.position]);

      const { res, events: none } = await exportLog(api, `?fromPosition=${created[3].reply.position + 1_000_000}`);
      expect(none).toEqual([]);
      expect(res.text).toBe('');

      const { events: firstOnly } = await exportLog(api, '?limit=1');
      expect(firstOnly).toHaveLength(1);
      expect(firstOnly[0].position).toBe(1);
    });
  });

  it('answers 404 for the state of an unknown customer even with asOf', async () => {
    const res = await api.http().get(`/v1/customers/${newCustomer().customerId}/state?asOf=2024-01-01T00:00:00Z`).set(auditor());
    expectApiError(res, 404, 'CUSTOMER_NOT_FOUND');
  });
});
