import { randomUUID } from 'node:crypto';
import { startTestApi, type TestApi, type TestRole } from '../support/api-harness';
import {
  acquire,
  AUDIT_ENDPOINTS,
  call,
  COMMAND_ENDPOINTS,
  CUSTOMER_COMMANDS,
  expectApiError,
  expectNothingStored,
  expectRejected,
  exportLog,
  failedFields,
  historyOf,
  logHead,
  nationalMobile,
} from '../support/api-client';
import { newCustomer } from '../support/customers';

describe('errors', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => api.destroy());

  const service = () => api.auth('service');
  const post = (path: string, body: unknown = {}) => api.http().post(path).set(service()).send(body as object);
  const postRaw = (path: string, raw: string, type = 'application/json') =>
    api.http().post(path).set(service()).set('Content-Type', type).send(raw);
  const contact = (id: string, extra: object = {}) =>
    post(`/v1/customers/${id}/contacts`, { channel: 'email', direction: 'inbound', outcome: 'reached', ...extra });
  const purchase = (id: string, extra: object = {}) =>
    post(`/v1/customers/${id}/purchases`, { orderId: `o-${randomUUID()}`, amountMinor: 100, currency: 'CNY', ...extra });

  describe('VALIDATION_FAILED (400)', () => {
    it('lists every field error of a body at once', async () => {
      const res = await expectRejected(
        api,
        () => post('/v1/customers', { name: '', email: 'not-an-email', phone: '12', channel: 'tv', type: 'robot', tags: 'x', nickname: 'Bob' }),
        400,
        'VALIDATION_FAILED',
      );
      expect(res.body.error.message).toBe('The request is invalid');
      expect(failedFields(res)).toEqual(['channel', 'email', 'name', 'nickname', 'phone', 'tags', 'type']);
      for (const field of res.body.error.details.fields) {
        expect(field.errors.length).toBeGreaterThan(0);
        for (const message of field.errors) expect(typeof message).toBe('string');
      }
    });

    it('reports missing required fields, each by name', async () => {
      const { customerId } = await acquire(api);
      const res = await expectRejected(api, () => post(`/v1/customers/${customerId}/purchases`, {}), 400, 'VALIDATION_FAILED');
      expect(failedFields(res)).toEqual(['amountMinor', 'currency', 'orderId']);
    });

    it('rejects an unknown field even when everything else is valid', async () => {
      const res = await expectRejected(api, () => post('/v1/customers', newCustomer({ nickname: 'Bob' })), 400, 'VALIDATION_FAILED', {
        fields: [{ field: 'nickname', errors: ['property nickname should not exist'] }],
      });
      expect(res.body.error.details.fields).toHaveLength(1);
    });

    it('rejects wrong types without converting them (number for string, string for number)', async () => {
      const { customerId } = await acquire(api);
      const asNumber = await expectRejected(api, () => post('/v1/customers', newCustomer({ name: 42 })), 400, 'VALIDATION_FAILED');
      expect(failedFields(asNumber)).toEqual(['name']);
      const asString = await expectRejected(
        api,
        () => purchase(customerId, { amountMinor: '100', orderId: 7 }),
        400,
        'VALIDATION_FAILED',
      );
      expect(failedFields(asString)).toEqual(['amountMinor', 'orderId']);
      const asBoolean = await expectRejected(api, () => post(`/v1/customers/${customerId}/feedback`, { csat: true }), 400, 'VALIDATION_FAILED');
      expect(failedFields(asBoolean)).toEqual(['csat']);
    });

    it('rejects money that is not a positive integer of minor units', async () => {
      const { customerId } = await acquire(api);
      for (const amountMinor of [12.5, -100, 0, 2 ** 53, 1e300]) {
        const res = await expectRejected(api, () => purchase(customerId, { amountMinor }), 400, 'VALIDATION_FAILED');
        expect(failedFields(res)).toEqual(['amountMinor']);
      }
    });

    it('rejects out-of-range scores and unknown enum values', async () => {
      const { customerId } = await acquire(api);
      const scores = await expectRejected(api, () => post(`/v1/customers/${customerId}/feedback`, { csat: 6, nps: -1 }), 400, 'VALIDATION_FAILED');
      expect(failedFields(scores)).toEqual(['csat', 'nps']);
      const enums = await expectRejected(
        api,
        () => post(`/v1/customers/${customerId}/contacts`, { channel: 'pigeon', direction: 'sideways', outcome: 'maybe' }),
        400,
        'VALIDATION_FAILED',
      );
      expect(failedFields(enums)).toEqual(['channel', 'direction', 'outcome']);
      const severity = await expectRejected(
        api,
        () => post(`/v1/customers/${customerId}/complaints`, { category: 'c', severity: 'urgent', description: 'd' }),
        400,
        'VALIDATION_FAILED',
      );
      expect(failedFields(severity)).toEqual(['severity']);
    });

    it('rejects an occurredAt that is not an ISO 8601 date-time', async () => {
      const { customerId } = await acquire(api);
      for (const occurredAt of ['yesterday', '2024-02-30T00:00:00Z', 1700000000000, '20240101T000000Z', '2024-W01-1', '2024-01-01T00:00:00,5Z']) {
        const res = await expectRejected(api, () => contact(customerId, { occurredAt }), 400, 'VALIDATION_FAILED');
        expect(failedFields(res)).toEqual(['occurredAt']);
      }
    });

    it('rejects ISO 8601 forms that no date parser of the API can read, in every date field', async () => {
      const { customerId } = await acquire(api);
      for (const date of ['20240101T000000Z', '2024-W01-1', '2024-01-01T00:00:00,5Z', '2024-01-01T00:00:00+08']) {
        const followUp = await expectRejected(api, () => contact(customerId, { nextFollowUpAt: date }), 400, 'VALIDATION_FAILED');
        expect(failedFields(followUp)).toEqual(['nextFollowUpAt']);
        const acquisition = await expectRejected(api, () => post('/v1/customers', newCustomer({ occurredAt: date })), 400, 'VALIDATION_FAILED');
        expect(failedFields(acquisition)).toEqual(['occurredAt']);
        const state = await api.http().get(`/v1/customers/${customerId}/state?asOf=${encodeURIComponent(date)}`).set(api.auth('auditor'));
        expectApiError(state, 400, 'VALIDATION_FAILED');
        expect(failedFields(state)).toEqual(['asOf']);
      }
    });

    it('rejects null for fields that cannot be cleared (name, type, tags)', async () => {
      const { customerId } = await acquire(api);
      const res = await expectRejected(
        api,
        () => api.http().patch(`/v1/customers/${customerId}/profile`).set(service()).send({ name: null, type: null, tags: null }),
        400,
        'VALIDATION_FAILED',
      );
      expect(failedFields(res)).toEqual(['name', 'tags', 'type']);
    });

    it.each([
      ['an array', '[]'],
      ['null', 'null'],
      ['a string', '"x"'],
      ['a number', '42'],
      ['a boolean', 'true'],
    ])('rejects %s as a body: it must be a JSON object', async (_, raw) => {
      await expectRejected(api, () => postRaw('/v1/customers', raw), 400, 'VALIDATION_FAILED', {
        fields: [{ field: 'body', errors: ['the body must be a JSON object'] }],
      });
    });

    it('rejects a customer id in the path that is not a uuid, on every endpoint', async () => {
      for (const endpoint of [...CUSTOMER_COMMANDS, ...AUDIT_ENDPOINTS.filter((e) => e.name !== 'audit export')]) {
        const res = await expectRejected(api, () => call(api, endpoint, 'not-a-uuid'), 400, 'VALIDATION_FAILED');
        expect(res.body.error.details).toEqual({ fields: [{ field: 'id', errors: ['id must be a UUID'] }] });
      }
    });

    it('answers a path the router cannot read in the error shape too (bad encoding, overlong id)', async () => {
      const badEncoding = await api.http().get('/v1/customers/%E0%A4%A/history').set(api.auth('auditor'));
      expectApiError(badEncoding, 400, 'BAD_REQUEST');
      const overlong = await expectRejected(
        api,
        () => api.http().post(`/v1/customers/${'a'.repeat(150)}/contacts`).set(service()).send({ channel: 'sms', direction: 'inbound', outcome: 'reached' }),
        414,
        'URI_TOO_LONG',
      );
      expect(overlong.body.error.message).toContain('max param length');
    });

    it('rejects a customerId in the body that is not a uuid', async () => {
      const res = await expectRejected(api, () => post('/v1/customers', newCustomer({ customerId: '12345' })), 400, 'VALIDATION_FAILED');
      expect(failedFields(res)).toEqual(['customerId']);
    });

    it('rejects bad query parameters of the audit endpoints', async () => {
      const { customerId } = await acquire(api);
      const auditor = api.auth('auditor');
      const cases: [string, string[]][] = [
        [`/v1/customers/${customerId}/history?limit=0`, ['limit']],
        [`/v1/customers/${customerId}/history?limit=1001`, ['limit']],
        [`/v1/customers/${customerId}/history?fromRevision=-1`, ['fromRevision']],
        [`/v1/customers/${customerId}/history?fromRevision=abc&limit=x`, ['fromRevision', 'limit']],
        [`/v1/customers/${customerId}/state?atRevision=1.5`, ['atRevision']],
        [`/v1/customers/${customerId}/state?asOf=not-a-date`, ['asOf']],
        [`/v1/customers/${customerId}/state?colour=red`, ['colour']],
        ['/v1/audit/events?fromPosition=-5', ['fromPosition']],
        ['/v1/audit/events?limit=0', ['limit']],
      ];
      for (const [url, fields] of cases) {
        const res = await api.http().get(url).set(auditor);
        expectApiError(res, 400, 'VALIDATION_FAILED');
        expect({ url, fields: failedFields(res) }).toEqual({ url, fields });
      }
    });
  });

  describe('MALFORMED_JSON, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE', () => {
    it.each([
      ['a truncated object', '{"name": "Ann", '],
      ['single quotes', "{'name': 'Ann'}"],
      ['trailing garbage', '{"name": "Ann"} x'],
      ['an empty body declared as JSON', ''],
      ['a __proto__ key', '{"__proto__": {"polluted": true}, "name": "Ann", "channel": "web", "type": "consumer"}'],
      ['a constructor.prototype key', '{"constructor": {"prototype": {"polluted": true}}, "name": "Ann"}'],
    ])('answers 400 MALFORMED_JSON to %s', async (_, raw) => {
      await expectRejected(api, () => postRaw('/v1/customers', raw), 400, 'MALFORMED_JSON');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it.each([
      ['text/plain', 'hello'],
      ['application/x-www-form-urlencoded', 'name=Ann&channel=web'],
      ['application/xml', '<customer/>'],
    ])('answers 415 UNSUPPORTED_MEDIA_TYPE to a %s body', async (type, raw) => {
      await expectRejected(api, () => postRaw('/v1/customers', raw, type), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    describe('with a small body limit', () => {
      let small: TestApi;
      beforeAll(async () => {
        small = await startTestApi({ env: { CRM_BODY_LIMIT_BYTES: '1024' } });
      });
      afterAll(async () => small.destroy());

      it('answers 413 PAYLOAD_TOO_LARGE to a body over the limit and stores nothing', async () => {
        const ok = await small.http().post('/v1/customers').set(small.auth('service')).send(newCustomer());
        expect(ok.status).toBe(201);
        const body = newCustomer({ name: 'x'.repeat(2000) });
        await expectRejected(small, () => small.http().post('/v1/customers').set(small.auth('service')).send(body), 413, 'PAYLOAD_TOO_LARGE');
        const big = await expectRejected(
          small,
          () => small.http().post(`/v1/customers/${ok.body.customerId}/contacts`).set(small.auth('service')).send({ summary: 'y'.repeat(5000) }),
          413,
          'PAYLOAD_TOO_LARGE',
        );
        expect(big.body.error.message).toBe('The request body is too large');
      });
    });
  });

  describe('UNAUTHORIZED (401) and FORBIDDEN (403)', () => {
    const headers: [string, Record<string, string>][] = [
      ['no Authorization header', {}],
      ['an unknown key', { Authorization: 'Bearer not-a-real-key-0000000000' }],
      ['a Basic header', { Authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }],
      ['Bearer without a key', { Authorization: 'Bearer' }],
      ['a key with a space in it', { Authorization: 'Bearer test-service key-0000000001' }],
      ['the raw key without "Bearer"', { Authorization: 'test-service-key-0000000001' }],
    ];

    it.each(headers)('answers 401 to %s, on commands and audit reads alike', async (_, header) => {
      const { customerId } = await acquire(api);
      for (const endpoint of [...COMMAND_ENDPOINTS, ...AUDIT_ENDPOINTS]) {
        const res = await expectNothingStored(api, () => {
          const req = api.http()[endpoint.method](endpoint.path(customerId)).set(header);
          return endpoint.body ? req.send(endpoint.body()) : req;
        });
        expectApiError(res, 401, 'UNAUTHORIZED');
      }
    });

    /** Which roles may call each endpoint (admin may call all). */
    const allowed = (role: TestRole, endpointRole: string) => role === 'admin' || role === endpointRole;

    it('answers 403 to every role on every endpoint it may not use, and lets admin use all', async () => {
      const { customerId } = await acquire(api);
      const seen: string[] = [];
      for (const endpoint of [...COMMAND_ENDPOINTS, ...AUDIT_ENDPOINTS]) {
        for (const role of ['service', 'auditor', 'analyst', 'admin'] as TestRole[]) {
          if (allowed(role, endpoint.role)) {
            const res = await call(api, endpoint, customerId, role);
            const refused = res.status === 401 || res.status === 403 || res.status >= 500;
            expect({ endpoint: endpoint.name, role, refused }).toEqual({ endpoint: endpoint.name, role, refused: false });
            seen.push(`${role}:${endpoint.name}:allowed`);
          } else {
            const res = await expectNothingStored(api, () => call(api, endpoint, customerId, role));
            expectApiError(res, 403, 'FORBIDDEN');
            seen.push(`${role}:${endpoint.name}:forbidden`);
          }
        }
      }
      expect(seen.filter((s) => s.startsWith('analyst:') && s.endsWith(':forbidden'))).toHaveLength(14);
      expect(seen.filter((s) => s.startsWith('admin:') && s.endsWith(':allowed'))).toHaveLength(14);
      expect(seen).toContain('service:erase personal data:forbidden');
      expect(seen).toContain('auditor:record purchase:forbidden');
      expect(seen).toContain('service:customer history:forbidden');
    });

    it('records the admin as the actor when an admin issues a service command', async () => {
      const res = await api.http().post('/v1/customers').set(api.auth('admin')).send(newCustomer());
      expect(res.status).toBe(201);
      const [event] = await historyOf(api, res.body.customerId);
      expect(event.metadata.actor).toEqual({ id: expect.stringMatching(/^key-/), role: 'admin' });
    });
  });

  describe('NOT_FOUND and CUSTOMER_NOT_FOUND (404)', () => {
    it('answers 404 NOT_FOUND to an unknown route', async () => {
      for (const res of [
        await api.http().get('/v1/nothing-here').set(service()),
        await api.http().post(`/v1/customers/${randomUUID()}/teleport`).set(service()).send({}),
        await api.http().put('/v1/customers').set(service()).send({}),
      ]) {
        expectApiError(res, 404, 'NOT_FOUND');
      }
    });

    it('answers 404 CUSTOMER_NOT_FOUND to every command for an unknown customer, storing nothing', async () => {
      const unknown = randomUUID();
      for (const endpoint of CUSTOMER_COMMANDS) {
        const res = await expectRejected(api, () => call(api, endpoint, unknown, endpoint.role), 404, 'CUSTOMER_NOT_FOUND');
        expect({ endpoint: endpoint.name, message: res.body.error.message }).toEqual({
          endpoint: endpoint.name,
          message: expect.stringContaining(unknown),
        });
      }
    });

    it('answers 404 CUSTOMER_NOT_FOUND to the history and the state of an unknown customer', async () => {
      const unknown = randomUUID();
      expectApiError(await api.http().get(`/v1/customers/${unknown}/history`).set(api.auth('auditor')), 404, 'CUSTOMER_NOT_FOUND');
      expectApiError(await api.http().get(`/v1/customers/${unknown}/state`).set(api.auth('auditor')), 404, 'CUSTOMER_NOT_FOUND');
      expectApiError(
        await api.http().get(`/v1/customers/${unknown}/state?atRevision=0`).set(api.auth('auditor')),
        404,
        'CUSTOMER_NOT_FOUND',
      );
    });
  });

  describe('409 conflicts', () => {
    it('CUSTOMER_EXISTS: acquiring an existing customerId again', async () => {
      const { customerId } = await acquire(api);
      await expectRejected(api, () => post('/v1/customers', newCustomer({ customerId })), 409, 'CUSTOMER_EXISTS');
      expect(await historyOf(api, customerId)).toHaveLength(1);
    });

    it('DUPLICATE_EMAIL names the customer holding the email, ignoring case and surrounding spaces', async () => {
      const email = `dup-${randomUUID().slice(0, 8)}@example.com`;
      const { customerId: holder } = await acquire(api, { email });
      await expectRejected(api, () => post('/v1/customers', newCustomer({ email })), 409, 'DUPLICATE_EMAIL', { existingCustomerId: holder });
      await expectRejected(api, () => post('/v1/customers', newCustomer({ email: ` ${email.toUpperCase()} ` })), 409, 'DUPLICATE_EMAIL', {
        existingCustomerId: holder,
      });
    });

    it('DUPLICATE_EMAIL when a profile update takes another customer\'s email', async () => {
      const email = `taken-${randomUUID().slice(0, 8)}@example.com`;
      const { customerId: holder } = await acquire(api, { email });
      const { customerId: other } = await acquire(api);
      await expectRejected(
        api,
        () => api.http().patch(`/v1/customers/${other}/profile`).set(service()).send({ email: email.replace('taken', 'TAKEN') }),
        409,
        'DUPLICATE_EMAIL',
        { existingCustomerId: holder },
      );
    });

    it('DUPLICATE_PHONE treats a national number and its international form as the same phone', async () => {
      const national = nationalMobile();
      const { customerId: holder } = await acquire(api, { phone: national });
      await expectRejected(api, () => post('/v1/customers', newCustomer({ phone: `+86${national}` })), 409, 'DUPLICATE_PHONE', {
        existingCustomerId: holder,
      });

      const other = nationalMobile();
      const { customerId: internationalHolder } = await acquire(api, { phone: `+86${other}` });
      await expectRejected(api, () => post('/v1/customers', newCustomer({ phone: other })), 409, 'DUPLICATE_PHONE', {
        existingCustomerId: internationalHolder,
      });
      await expectRejected(api, () => post('/v1/customers', newCustomer({ phone: `+86 ${other.slice(0, 3)} ${other.slice(3, 7)} ${other.slice(7)}` })), 409, 'DUPLICATE_PHONE', {
        existingCustomerId: internationalHolder,
      });
    });

    it('DUPLICATE_PHONE when a profile update takes another customer\'s phone', async () => {
      const national = nationalMobile();
      const { customerId: holder } = await acquire(api, { phone: `+86${national}` });
      const { customerId: other } = await acquire(api);
      await expectRejected(
        api,
        () => api.http().patch(`/v1/customers/${other}/profile`).set(service()).send({ phone: national }),
        409,
        'DUPLICATE_PHONE',
        { existingCustomerId: holder },
      );
    });

    it('CUSTOMER_CHURNED: no contact and no purchase after churn', async () => {
      const { customerId } = await acquire(api);
      expect((await post(`/v1/customers/${customerId}/churn`, { reason: 'gone' })).status).toBe(200);
      await expectRejected(api, () => contact(customerId), 409, 'CUSTOMER_CHURNED');
      await expectRejected(api, () => purchase(customerId), 409, 'CUSTOMER_CHURNED');
    });

    it('CUSTOMER_ALREADY_CHURNED: churning twice', async () => {
      const { customerId } = await acquire(api);
      await post(`/v1/customers/${customerId}/churn`, { reason: 'gone' });
      await expectRejected(api, () => post(`/v1/customers/${customerId}/churn`, { reason: 'gone again' }), 409, 'CUSTOMER_ALREADY_CHURNED');
    });

    it('CUSTOMER_NOT_CHURNED: reactivating a live customer, or reactivating twice', async () => {
      const { customerId } = await acquire(api);
      await expectRejected(api, () => post(`/v1/customers/${customerId}/reactivation`, {}), 409, 'CUSTOMER_NOT_CHURNED');
      await post(`/v1/customers/${customerId}/churn`, { reason: 'gone' });
      expect((await post(`/v1/customers/${customerId}/reactivation`, {})).status).toBe(200);
      await expectRejected(api, () => post(`/v1/customers/${customerId}/reactivation`, {}), 409, 'CUSTOMER_NOT_CHURNED');
    });

    it('COMPLAINT_NOT_OPEN: resolving an unknown complaint or one already resolved', async () => {
      const { customerId } = await acquire(api);
      await expectRejected(
        api,
        () => post(`/v1/customers/${customerId}/complaints/no-such-complaint/resolution`, { resolution: 'r' }),
        409,
        'COMPLAINT_NOT_OPEN',
      );
      await post(`/v1/customers/${customerId}/complaints`, { complaintId: 'c-1', category: 'c', severity: 'low', description: 'd' });
      expect((await post(`/v1/customers/${customerId}/complaints/c-1/resolution`, { resolution: 'r' })).status).toBe(200);
      await expectRejected(api, () => post(`/v1/customers/${customerId}/complaints/c-1/resolution`, { resolution: 'again' }), 409, 'COMPLAINT_NOT_OPEN');
    });

    it('COMPLAINT_EXISTS: filing a complaint under an id already used, even once resolved', async () => {
      const { customerId } = await acquire(api);
      const body = { complaintId: 'c-dup', category: 'c', severity: 'low', description: 'd' };
      expect((await post(`/v1/customers/${customerId}/complaints`, body)).status).toBe(201);
      await expectRejected(api, () => post(`/v1/customers/${customerId}/complaints`, body), 409, 'COMPLAINT_EXISTS');
      await post(`/v1/customers/${customerId}/complaints/c-dup/resolution`, { resolution: 'r' });
      await expectRejected(api, () => post(`/v1/customers/${customerId}/complaints`, body), 409, 'COMPLAINT_EXISTS');
    });

    it('CUSTOMER_ERASED: commands on an erased customer', async () => {
      const { customerId } = await acquire(api);
      expect((await api.http().delete(`/v1/customers/${customerId}/personal-data`).set(api.auth('admin'))).status).toBe(200);
      await expectRejected(api, () => contact(customerId), 409, 'CUSTOMER_ERASED');
      await expectRejected(api, () => purchase(customerId), 409, 'CUSTOMER_ERASED');
    });

    it('REVISION_CONFLICT with the current revision when If-Match is stale', async () => {
      const { customerId } = await acquire(api);
      await contact(customerId);
      for (const stale of ['0', '"0"', '5', '-1']) {
        await expectRejected(api, () => contact(customerId).set('If-Match', stale), 409, 'REVISION_CONFLICT', { currentRevision: 1 });
      }
      const ok = await contact(customerId).set('If-Match', '"1"');
      expect(ok.status).toBe(200);
      expect(ok.body.revision).toBe(2);
    });

    it('REVISION_CONFLICT when If-Match expects a customer that already exists on acquisition', async () => {
      const { customerId } = await acquire(api);
      const res = await expectRejected(
        api,
        () => post('/v1/customers', newCustomer({ customerId })).set('If-Match', '-1'),
        409,
        'REVISION_CONFLICT',
      );
      expect(res.body.error.details).toEqual({ currentRevision: 0 });
    });
  });

  describe('422 business rules', () => {
    it('CURRENCY_MISMATCH for an amount not in the configured currency', async () => {
      const { customerId } = await acquire(api);
      await expectRejected(api, () => purchase(customerId, { currency: 'USD' }), 422, 'CURRENCY_MISMATCH', { expected: 'CNY', actual: 'USD' });
    });

    it('FEEDBACK_SCORE_REQUIRED when neither csat nor nps is given', async () => {
      const { customerId } = await acquire(api);
      await expectRejected(api, () => post(`/v1/customers/${customerId}/feedback`, { comment: 'no score' }), 422, 'FEEDBACK_SCORE_REQUIRED');
      await expectRejected(api, () => post(`/v1/customers/${customerId}/feedback`, {}), 422, 'FEEDBACK_SCORE_REQUIRED');
    });

    it('OCCURRED_AT_IN_FUTURE for business time well ahead of the server clock', async () => {
      const { customerId } = await acquire(api);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
      await expectRejected(api, () => contact(customerId, { occurredAt: tomorrow }), 422, 'OCCURRED_AT_IN_FUTURE');
      await expectRejected(api, () => post('/v1/customers', newCustomer({ occurredAt: tomorrow })), 422, 'OCCURRED_AT_IN_FUTURE');
    });
  });

  describe('headers', () => {
    it.each(['abc', '1.5', '', 'W/"x"', '1, 2', '99999999999999999'])('INVALID_IF_MATCH (400) for If-Match %p', async (value) => {
      const { customerId } = await acquire(api);
      await expectRejected(api, () => contact(customerId).set('If-Match', value), 400, 'INVALID_IF_MATCH');
    });

    it('INVALID_HEADER (400) for a 300-character Idempotency-Key and for ids with spaces', async () => {
      const { customerId } = await acquire(api);
      await expectRejected(api, () => contact(customerId).set('Idempotency-Key', 'k'.repeat(300)), 400, 'INVALID_HEADER');
      await expectRejected(api, () => contact(customerId).set('X-Correlation-Id', 'has a space'), 400, 'INVALID_HEADER');
      await expectRejected(api, () => contact(customerId).set('X-Causation-Id', 'c'.repeat(201)), 400, 'INVALID_HEADER');
      const ok = await contact(customerId).set('Idempotency-Key', 'k'.repeat(200));
      expect(ok.status).toBe(200);
    });

    it('IDEMPOTENCY_KEY_REUSED (422) for the same key with another body', async () => {
      const { customerId } = await acquire(api);
      const key = randomUUID();
      expect((await contact(customerId, { summary: 'first' }).set('Idempotency-Key', key)).status).toBe(200);
      await expectRejected(api, () => contact(customerId, { summary: 'second' }).set('Idempotency-Key', key), 422, 'IDEMPOTENCY_KEY_REUSED');
    });
  });

  describe('RATE_LIMITED (429)', () => {
    let limited: TestApi;
    beforeAll(async () => {
      limited = await startTestApi({ env: { CRM_RATE_LIMIT_PER_MINUTE: '5' } });
    });
    afterAll(async () => limited.destroy());

    it('answers 429 once a key exceeded its requests per minute, storing nothing, while other keys go on', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await limited.http().post('/v1/customers').set(limited.auth('service')).send(newCustomer())).status);
      }
      expect(statuses).toEqual([201, 201, 201, 201, 201]);

      const before = await exportLog(limited);
      const res = await limited.http().post('/v1/customers').set(limited.auth('service')).send(newCustomer());
      expectApiError(res, 429, 'RATE_LIMITED');
      const after = await exportLog(limited);
      expect(after.events).toHaveLength(5);
      expect(after.events).toEqual(before.events);
      expect(res.headers['retry-after']).toBeDefined();
    });
  });

  describe('no 5xx for bad input', () => {
    const huge = 'x'.repeat(10_000);
    const garbageValues: unknown[] = [
      null,
      true,
      0,
      -1,
      1.5,
      -99999999,
      1e308,
      Number.MAX_SAFE_INTEGER + 2,
      '',
      ' ',
      huge,
      '\u0000\u202e\ud83d\ude00',
      '2024-13-45T99:99:99Z',
      [],
      [null, 1, 'a'],
      {},
      { nested: { deeper: { deepest: [1, { x: huge }] } } },
      { __proto__: { polluted: true } },
      { constructor: { prototype: { polluted: true } } },
    ];
    const rawBodies = [
      '{"__proto__": {"polluted": true}}',
      '{"constructor": {"prototype": {"polluted": true}}}',
      '{"constructor": "x", "toString": 1, "hasOwnProperty": null}',
      '{"amountMinor": 1e999}',
      '{"a": ' + '['.repeat(500) + ']'.repeat(500) + '}',
      '[' + '{},'.repeat(200) + '{}]',
      '"' + huge + '"',
      '-0',
      '{"name": "\\ud800"}',
    ];

    const bodyEndpoints = COMMAND_ENDPOINTS.filter((e) => e.body !== undefined);

    it.each(bodyEndpoints.map((e) => [e.name, e] as const))(
      'never answers 5xx to garbage bodies on "%s", answers in the error shape and stores nothing when rejecting',
      async (_, endpoint) => {
        const { customerId } = await acquire(api);
        let last = (await logHead(api)).lastPosition;
        const failures: string[] = [];
        let checked = 0;

        /** Sends one body and checks the reply and what reached the log since the previous one. */
        const probe = async (body: unknown, label: string) => {
          const res = await call(api, endpoint, customerId, endpoint.role, body).type('json');
          checked++;
          const { events } = await exportLog(api, `?fromPosition=${last + 1}`);
          const where = `${label.slice(0, 100)} -> ${res.status}`;
          if (res.status >= 500) failures.push(`${where} ${JSON.stringify(res.body)}`);
          else if (res.status >= 400) {
            if (events.length > 0) failures.push(`${where} but stored ${events.length} event(s)`);
            if (!res.body?.error?.code) failures.push(`${where} without an error code`);
            else expectApiError(res, res.status, res.body.error.code);
          } else {
            if (events.some((e) => e.customerId !== res.body.customerId || e.position > res.body.position)) failures.push(`${where} stored foreign events`);
            if (events.length > 0) last = events[events.length - 1].position;
          }
        };

        const valid = endpoint.body!();
        const bodies: unknown[] = [...garbageValues];
        for (const field of Object.keys(valid)) {
          for (const value of garbageValues) bodies.push({ ...valid, [field]: value });
        }
        for (const body of bodies) {
          const payload = body !== null && typeof body === 'object' ? body : JSON.stringify(body);
          await probe(payload, JSON.stringify(body) ?? String(body));
        }
        for (const raw of rawBodies) await probe(raw, `raw ${raw}`);

        expect(failures).toEqual([]);
        expect(checked).toBeGreaterThanOrEqual(2 * garbageValues.length + rawBodies.length);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.keys(Object.prototype)).toEqual([]);
      },
      20_000,
    );

    it('stores nothing for a body the validation rejects, on every command endpoint', async () => {
      const { customerId } = await acquire(api);
      for (const endpoint of COMMAND_ENDPOINTS) {
        if (endpoint.method === 'delete') continue;
        const res = await expectNothingStored(api, () => call(api, endpoint, customerId, endpoint.role, { ...endpoint.body!(), bogus: huge }));
        expectApiError(res, 400, 'VALIDATION_FAILED');
      }
    });
  });
});
