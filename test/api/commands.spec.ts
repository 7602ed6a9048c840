import { randomUUID } from 'node:crypto';
import { KEY_STORE, type KeyStore } from '@crm/privacy';
import { startTestApi, type TestApi } from '../support/api-harness';
import { acquire, type CommandReply, exportLog, historyOf, logHead, stateOf } from '../support/api-client';
import { newCustomer } from '../support/customers';
import { TestClock } from '../support/test-clock';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('command endpoints', () => {
  let api: TestApi;
  const clock = new TestClock('2024-03-01T09:00:00.000Z');

  beforeAll(async () => {
    api = await startTestApi({ clock });
  });
  afterAll(async () => api.destroy());

  const service = () => api.auth('service');
  const post = (path: string, body: object = {}) => api.http().post(path).set(service()).send(body);
  const contact = (id: string, body: object = {}) =>
    post(`/v1/customers/${id}/contacts`, { channel: 'phone', direction: 'outbound', outcome: 'reached', ...body });
  const purchase = (id: string, body: object = {}) =>
    post(`/v1/customers/${id}/purchases`, { orderId: `o-${randomUUID()}`, amountMinor: 1000, currency: 'CNY', ...body });

  describe('POST /v1/customers', () => {
    it('tells the key store that an acquired customer is new, and later commands that it is not', async () => {
      const keyFor = jest.spyOn(api.app.get<KeyStore>(KEY_STORE), 'keyFor');
      try {
        const body = newCustomer();
        expect((await post('/v1/customers', body)).status).toBe(201);
        expect((await contact(body.customerId as string, { summary: 'asked for a quote' })).status).toBe(200);
        expect(keyFor.mock.calls).toEqual([
          [body.customerId, { likelyNew: true }],
          [body.customerId, { likelyNew: false }],
        ]);
      } finally {
        keyFor.mockRestore();
      }
    });

    it('acquires a customer under the id the caller chose and replies 201 with revision 0', async () => {
      const body = newCustomer({ ownerId: 'owner-7', tags: ['vip', 'trial'] });
      const res = await post('/v1/customers', body);

      expect(res.status).toBe(201);
      expect(res.body).toEqual({ customerId: body.customerId, revision: 0, position: expect.any(Number) });
      expect(res.body.position).toBeGreaterThan(0);
      const [event] = await historyOf(api, body.customerId as string);
      expect(event).toMatchObject({ type: 'CustomerAcquired', revision: 0, position: res.body.position });
      expect(event.data).toEqual({
        customerId: body.customerId,
        name: body.name,
        email: body.email,
        phone: body.phone,
        channel: 'web',
        type: 'consumer',
        region: 'east',
        tags: ['vip', 'trial'],
        ownerId: 'owner-7',
      });
    });

    it('generates a uuid when no customerId is given, a different one per acquisition', async () => {
      const { customerId: omitted, ...first } = newCustomer();
      const { customerId: alsoOmitted, ...second } = newCustomer();
      expect(omitted).not.toBe(alsoOmitted);

      const a = await post('/v1/customers', first);
      const b = await post('/v1/customers', second);

      expect(a.status).toBe(201);
      expect(b.status).toBe(201);
      expect(a.body).toEqual({ customerId: expect.stringMatching(UUID), revision: 0, position: expect.any(Number) });
      expect(b.body.customerId).toMatch(UUID);
      expect(a.body.customerId).not.toBe(b.body.customerId);
      expect(b.body.position).toBeGreaterThan(a.body.position);
      const state = await stateOf(api, a.body.customerId);
      expect(state.state).toMatchObject({ exists: true, customerId: a.body.customerId, name: first.name, stage: 'acquired' });
    });

    it('treats customerId: null like an absent customerId and generates one', async () => {
      const first = await post('/v1/customers', newCustomer({ customerId: null }));
      const second = await post('/v1/customers', newCustomer({ customerId: null }));
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(first.body.customerId).toMatch(UUID);
      expect(second.body.customerId).toMatch(UUID);
      expect(first.body.customerId).not.toBe(second.body.customerId);
      expect((await stateOf(api, first.body.customerId)).state.customerId).toBe(first.body.customerId);
    });

    it('stores the email lower-cased and the phone in international form', async () => {
      const body = newCustomer({ email: `  Mixed.Case-${randomUUID().slice(0, 8)}@Example.COM `, phone: '13912345678' });
      const res = await post('/v1/customers', body);
      expect(res.status).toBe(201);
      const { state } = await stateOf(api, res.body.customerId);
      expect(state.email).toBe((body.email as string).trim().toLowerCase());
      expect(state.phone).toBe('+8613912345678');
    });

    it('treats customer ids case-insensitively, as uuids are: an upper-case id names the same customer', async () => {
      const body = newCustomer();
      const lower = body.customerId as string;
      const res = await post('/v1/customers', { ...body, customerId: lower.toUpperCase() });
      expect(res.status).toBe(201);
      expect(res.body.customerId).toBe(lower);

      const contacted = await contact(lower.toUpperCase());
      expect(contacted.status).toBe(200);
      expect(contacted.body).toEqual({ customerId: lower, revision: 1, position: expect.any(Number) });
      const again = await post('/v1/customers', newCustomer({ customerId: lower }));
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('CUSTOMER_EXISTS');
      const history = await api.http().get(`/v1/customers/${lower.toUpperCase()}/history`).set(api.auth('auditor'));
      expect(history.body.events.map((e: { type: string }) => e.type)).toEqual(['CustomerAcquired', 'CustomerContacted']);
    });

    it('accepts a customer with only the required fields and an empty tag list', async () => {
      const res = await post('/v1/customers', { name: 'Minimal', channel: 'referral', type: 'business' });
      expect(res.status).toBe(201);
      const { state } = await stateOf(api, res.body.customerId);
      expect(state).toMatchObject({ name: 'Minimal', email: null, phone: null, region: null, tags: [], ownerId: null, channel: 'referral', type: 'business' });
    });
  });

  describe('commands on an existing customer', () => {
    it('records a contact (200), moving the customer to engaged with the follow-up date', async () => {
      const { customerId } = await acquire(api);
      const res = await contact(customerId, { summary: 'asked for a quote', nextFollowUpAt: '2024-03-08T09:00:00.000Z' });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ customerId, revision: 1, position: expect.any(Number) });
      const { state } = await stateOf(api, customerId);
      expect(state).toMatchObject({ stage: 'engaged', contactCount: 1, lastContactAt: clock.iso(), nextFollowUpAt: '2024-03-08T09:00:00.000Z' });
      const events = await historyOf(api, customerId);
      expect(events[1]).toMatchObject({
        type: 'CustomerContacted',
        data: { channel: 'phone', direction: 'outbound', outcome: 'reached', summary: 'asked for a quote' },
      });
    });

    it('records purchases: the first converts, the second retains, amounts add up', async () => {
      const { customerId } = await acquire(api);
      await contact(customerId);
      const first = await purchase(customerId, { orderId: 'order-1', amountMinor: 1999 });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ customerId, revision: 2, position: expect.any(Number) });
      expect((await stateOf(api, customerId)).state).toMatchObject({ stage: 'converted', purchaseCount: 1, totalSpendMinor: 1999 });

      const second = await purchase(customerId, { orderId: 'order-2', amountMinor: 1 });
      expect(second.status).toBe(200);
      expect(second.body.revision).toBe(3);
      const { state } = await stateOf(api, customerId);
      expect(state).toMatchObject({ stage: 'retained', purchaseCount: 2, totalSpendMinor: 2000, orderIds: ['order-1', 'order-2'] });
      const events = await historyOf(api, customerId);
      expect(events[3].data).toEqual({ customerId, orderId: 'order-2', amountMinor: 1, currency: 'CNY' });
    });

    it('converts on a purchase without any prior contact', async () => {
      const { customerId } = await acquire(api);
      expect((await purchase(customerId)).status).toBe(200);
      expect((await stateOf(api, customerId)).state.stage).toBe('converted');
    });

    it('treats a repeated orderId as a no-op: 200, same revision and position, no second event', async () => {
      const { customerId } = await acquire(api);
      const first = await purchase(customerId, { orderId: 'dup-1', amountMinor: 500 });
      const head = await logHead(api);

      const again = await purchase(customerId, { orderId: 'dup-1', amountMinor: 500 });
      const differentAmount = await purchase(customerId, { orderId: 'dup-1', amountMinor: 700 });

      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(differentAmount.status).toBe(200);
      expect(differentAmount.body).toEqual(first.body);
      expect(await logHead(api)).toEqual(head);
      const events = await historyOf(api, customerId);
      expect(events.filter((e) => e.type === 'PurchaseRecorded')).toHaveLength(1);
      expect((await stateOf(api, customerId)).state).toMatchObject({ purchaseCount: 1, totalSpendMinor: 500 });
    });

    it('files a complaint (201) and replies with the complaintId the caller gave', async () => {
      const { customerId } = await acquire(api);
      const res = await post(`/v1/customers/${customerId}/complaints`, {
        complaintId: 'cmp-42',
        category: 'delivery',
        severity: 'high',
        description: 'parcel arrived broken',
      });

      expect(res.status).toBe(201);
      expect(res.body).toEqual({ customerId, revision: 1, position: expect.any(Number), complaintId: 'cmp-42' });
      const { state } = await stateOf(api, customerId);
      expect(state.complaints).toEqual([
        expect.objectContaining({ complaintId: 'cmp-42', category: 'delivery', severity: 'high', status: 'open' }),
      ]);
    });

    it('generates a complaintId when none is given, a different one per complaint', async () => {
      const { customerId } = await acquire(api);
      const body = { category: 'billing', severity: 'low', description: 'charged twice' };
      const a = await post(`/v1/customers/${customerId}/complaints`, body);
      const b = await post(`/v1/customers/${customerId}/complaints`, body);

      expect(a.status).toBe(201);
      expect(a.body).toEqual({ customerId, revision: 1, position: expect.any(Number), complaintId: expect.any(String) });
      expect(a.body.complaintId.length).toBeGreaterThan(0);
      expect(b.body.complaintId).not.toBe(a.body.complaintId);
      const events = await historyOf(api, customerId);
      expect(events.slice(1).map((e) => e.data.complaintId)).toEqual([a.body.complaintId, b.body.complaintId]);
    });

    it('treats complaintId: null like an absent complaintId and generates one', async () => {
      const { customerId } = await acquire(api);
      const body = { complaintId: null, category: 'billing', severity: 'low', description: 'charged twice' };
      const a = await post(`/v1/customers/${customerId}/complaints`, body);
      const b = await post(`/v1/customers/${customerId}/complaints`, body);
      expect([a.status, b.status]).toEqual([201, 201]);
      expect(a.body.complaintId).toEqual(expect.any(String));
      expect(b.body.complaintId).toEqual(expect.any(String));
      expect(a.body.complaintId).not.toBe(b.body.complaintId);
      const { state } = await stateOf(api, customerId);
      expect(state.complaints.map((c: { complaintId: string }) => c.complaintId)).toEqual([a.body.complaintId, b.body.complaintId]);
    });

    it('resolves an open complaint (200) with the resolution and satisfaction', async () => {
      const { customerId } = await acquire(api);
      const filed = await post(`/v1/customers/${customerId}/complaints`, { category: 'x', severity: 'medium', description: 'd' });
      const res = await post(`/v1/customers/${customerId}/complaints/${filed.body.complaintId}/resolution`, {
        resolution: 'replaced the item',
        satisfaction: 5,
      });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ customerId, revision: 2, position: expect.any(Number) });
      const { state } = await stateOf(api, customerId);
      expect(state.complaints).toEqual([
        expect.objectContaining({ complaintId: filed.body.complaintId, status: 'resolved', satisfaction: 5, resolvedAt: clock.iso() }),
      ]);
      const events = await historyOf(api, customerId);
      expect(events[2]).toMatchObject({ type: 'ComplaintResolved', data: { complaintId: filed.body.complaintId, resolution: 'replaced the item', satisfaction: 5 } });
    });

    it('records feedback (200) with csat, nps and comment', async () => {
      const { customerId } = await acquire(api);
      const res = await post(`/v1/customers/${customerId}/feedback`, { csat: 2, nps: 9, comment: 'slow but friendly' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ customerId, revision: 1, position: expect.any(Number) });
      expect((await stateOf(api, customerId)).state).toMatchObject({ csatLast: 2, npsLast: 9 });

      const npsOnly = await post(`/v1/customers/${customerId}/feedback`, { nps: 0 });
      expect(npsOnly.status).toBe(200);
      expect((await stateOf(api, customerId)).state).toMatchObject({ csatLast: 2, npsLast: 0 });
      const events = await historyOf(api, customerId);
      expect(events.map((e) => e.data)).toEqual([
        expect.anything(),
        { customerId, csat: 2, nps: 9, comment: 'slow but friendly' },
        { customerId, nps: 0 },
      ]);
    });

    it('churns (200) and reactivates (200) a customer; the next purchase converts again', async () => {
      const { customerId } = await acquire(api);
      const churned = await post(`/v1/customers/${customerId}/churn`, { reason: 'price' });
      expect(churned.status).toBe(200);
      expect(churned.body).toEqual({ customerId, revision: 1, position: expect.any(Number) });
      expect((await stateOf(api, customerId)).state).toMatchObject({ stage: 'churned', churnedAt: clock.iso() });

      const back = await post(`/v1/customers/${customerId}/reactivation`, { reason: 'win-back offer' });
      expect(back.status).toBe(200);
      expect(back.body.revision).toBe(2);
      expect((await stateOf(api, customerId)).state.stage).toBe('reactivated');

      await purchase(customerId);
      expect((await stateOf(api, customerId)).state.stage).toBe('converted');
    });

    it('returns a reactivated customer with earlier purchases to retained on the next purchase', async () => {
      const { customerId } = await acquire(api);
      await purchase(customerId);
      await post(`/v1/customers/${customerId}/churn`, { reason: 'price' });
      const noBody = await api.http().post(`/v1/customers/${customerId}/reactivation`).set(service());
      expect(noBody.status).toBe(200);
      await purchase(customerId);
      expect((await stateOf(api, customerId)).state).toMatchObject({ stage: 'retained', purchaseCount: 2 });
    });

    it('updates the profile with the changed fields only', async () => {
      const { customerId, body } = await acquire(api);
      const res = await api
        .http()
        .patch(`/v1/customers/${customerId}/profile`)
        .set(service())
        .send({ name: body.name, region: 'north', tags: ['trial'], type: 'business' });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ customerId, revision: 1, position: expect.any(Number) });
      const events = await historyOf(api, customerId);
      expect(events[1]).toMatchObject({ type: 'ProfileUpdated' });
      expect(events[1].data).toEqual({ customerId, region: 'north', type: 'business' });
      expect((await stateOf(api, customerId)).state).toMatchObject({ name: body.name, region: 'north', type: 'business', tags: ['trial'] });
    });

    it('clears email, phone and region with null', async () => {
      const { customerId } = await acquire(api);
      const res = await api.http().patch(`/v1/customers/${customerId}/profile`).set(service()).send({ email: null, phone: null, region: null });
      expect(res.status).toBe(200);
      expect(res.body.revision).toBe(1);
      const events = await historyOf(api, customerId);
      expect(events[1].data).toEqual({ customerId, email: null, phone: null, region: null });
      expect((await stateOf(api, customerId)).state).toMatchObject({ email: null, phone: null, region: null });
    });

    it('answers a profile update that changes nothing with the same revision and stores nothing', async () => {
      const { customerId, body, reply } = await acquire(api);
      const head = await logHead(api);
      const national = (body.phone as string).replace('+86', '');
      const sameValues = [{}, { name: body.name }, { region: body.region, tags: body.tags }, { email: (body.email as string).toUpperCase(), phone: national }];
      for (const change of sameValues) {
        const res = await api.http().patch(`/v1/customers/${customerId}/profile`).set(service()).send(change);
        expect(res.status).toBe(200);
        expect(res.body).toEqual(reply);
      }
      expect(await logHead(api)).toEqual(head);
    });

    it('assigns an owner (PUT, 200); assigning the same owner again records nothing', async () => {
      const { customerId } = await acquire(api);
      const res = await api.http().put(`/v1/customers/${customerId}/owner`).set(service()).send({ ownerId: 'agent-1' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ customerId, revision: 1, position: expect.any(Number) });
      expect((await stateOf(api, customerId)).state.ownerId).toBe('agent-1');

      const same = await api.http().put(`/v1/customers/${customerId}/owner`).set(service()).send({ ownerId: 'agent-1' });
      expect(same.status).toBe(200);
      expect(same.body).toEqual(res.body);
      expect(await historyOf(api, customerId)).toHaveLength(2);
    });

    it('erases personal data (DELETE as admin, 200) by recording PersonalDataErased', async () => {
      const { customerId } = await acquire(api);
      const res = await api.http().delete(`/v1/customers/${customerId}/personal-data`).set(api.auth('admin'));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ customerId, revision: 1, position: expect.any(Number) });
      const events = await historyOf(api, customerId);
      expect(events.map((e) => e.type)).toEqual(['CustomerAcquired', 'PersonalDataErased']);
      expect(events[1].metadata.actor.role).toBe('admin');
      expect((await stateOf(api, customerId)).state).toMatchObject({ erased: true, name: '[erased]' });
    });
  });

  describe('revisions, positions and times', () => {
    it('increases the revision by one per event and the position strictly, across every command', async () => {
      const { customerId, reply } = await acquire(api);
      const replies: CommandReply[] = [reply];
      const steps = [
        () => contact(customerId),
        () => purchase(customerId),
        () => post(`/v1/customers/${customerId}/complaints`, { complaintId: 'c-1', category: 'c', severity: 'low', description: 'd' }),
        () => post(`/v1/customers/${customerId}/complaints/c-1/resolution`, { resolution: 'ok' }),
        () => post(`/v1/customers/${customerId}/feedback`, { csat: 5 }),
        () => api.http().patch(`/v1/customers/${customerId}/profile`).set(service()).send({ region: 'south' }),
        () => api.http().put(`/v1/customers/${customerId}/owner`).set(service()).send({ ownerId: 'agent-9' }),
        () => post(`/v1/customers/${customerId}/churn`, { reason: 'r' }),
        () => post(`/v1/customers/${customerId}/reactivation`, {}),
        () => api.http().delete(`/v1/customers/${customerId}/personal-data`).set(api.auth('admin')),
      ];
      for (const step of steps) {
        const res = await step();
        expect(res.status).toBeLessThan(300);
        replies.push({ customerId: res.body.customerId, revision: res.body.revision, position: res.body.position });
      }

      expect(replies.map((r) => r.revision)).toEqual(replies.map((_, i) => i));
      for (let i = 1; i < replies.length; i++) expect(replies[i].position).toBeGreaterThan(replies[i - 1].position);
      const events = await historyOf(api, customerId);
      expect(events.map((e) => [e.revision, e.position])).toEqual(replies.map((r) => [r.revision, r.position]));
      const { events: log } = await exportLog(api, `?fromPosition=${reply.position}`);
      expect(log.filter((e) => e.customerId === customerId).map((e) => e.position)).toEqual(replies.map((r) => r.position));
    });

    it('keeps the caller\'s occurredAt as business time and sets recordedAt from the server clock', async () => {
      clock.set('2024-05-10T12:00:00.000Z');
      const acquired = await post('/v1/customers', newCustomer({ occurredAt: '2024-05-01T08:30:00+08:00' }));
      expect(acquired.status).toBe(201);
      const customerId = acquired.body.customerId;
      clock.advance(60_000);
      await contact(customerId, { occurredAt: '2024-05-09T23:59:59.250Z' });
      clock.advance(60_000);
      await contact(customerId);

      const events = await historyOf(api, customerId);
      expect(events.map((e) => [e.metadata.occurredAt, e.metadata.recordedAt])).toEqual([
        ['2024-05-01T00:30:00.000Z', '2024-05-10T12:00:00.000Z'],
        ['2024-05-09T23:59:59.250Z', '2024-05-10T12:01:00.000Z'],
        ['2024-05-10T12:02:00.000Z', '2024-05-10T12:02:00.000Z'],
      ]);
      const { state } = await stateOf(api, customerId);
      expect(state.acquiredAt).toBe('2024-05-01T00:30:00.000Z');
      expect(state.lastContactAt).toBe('2024-05-10T12:02:00.000Z');
    });

    it('accepts an occurredAt slightly ahead of the server clock (client clock skew)', async () => {
      const { customerId } = await acquire(api);
      const ahead = new Date(clock.now().getTime() + 60_000).toISOString();
      const res = await contact(customerId, { occurredAt: ahead });
      expect(res.status).toBe(200);
      expect((await historyOf(api, customerId))[1].metadata.occurredAt).toBe(ahead);
    });
  });
});
