import { acquireCustomer, customerAcquired, customerContacted, NOW, recordContact, recorded, recordPurchase, spec } from '@crm/testing';
import { customerIdFromStream, customerStreamId } from './customer-stream';
import { customerDecider, DEFAULT_CUSTOMER_POLICY } from './customer.decider';

const SKEW_MS = 60_000;
const customer = spec(customerDecider({ currency: 'CNY', maxFutureSkewMs: SKEW_MS }));
const acquired = recorded(customerAcquired());
const plus = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

describe('business time', () => {
  it('rejects a command that happens further in the future than the allowed clock skew', () => {
    customer
      .given([acquired])
      .when(recordContact({}, { occurredAt: plus(SKEW_MS + 1), now: NOW }))
      .thenRejects('OCCURRED_AT_IN_FUTURE', 'unprocessable');
  });

  it('accepts a command exactly at the allowed clock skew', () => {
    customer.given([acquired]).when(recordContact({}, { occurredAt: plus(SKEW_MS), now: NOW })).then([customerContacted()]);
  });

  it('accepts a command in the past (backdated business time)', () => {
    customer.given([acquired]).when(recordContact({}, { occurredAt: '2020-01-01T00:00:00.000Z', now: NOW })).then([customerContacted()]);
  });

  it('rejects a future acquisition too', () => {
    customer.given([]).when(acquireCustomer({}, { occurredAt: plus(SKEW_MS + 1), now: NOW })).thenRejects('OCCURRED_AT_IN_FUTURE');
  });

  it('checks the business time before whether the customer exists', () => {
    customer.given([]).when(recordPurchase({}, { occurredAt: plus(SKEW_MS + 1), now: NOW })).thenRejects('OCCURRED_AT_IN_FUTURE');
  });

  it('takes the allowed skew from the policy', () => {
    const strict = spec(customerDecider({ currency: 'CNY', maxFutureSkewMs: 0 }));
    strict.given([acquired]).when(recordContact({}, { occurredAt: plus(1), now: NOW })).thenRejects('OCCURRED_AT_IN_FUTURE');
  });

  it('allows five minutes of skew by default', () => {
    const lenient = spec(customerDecider());
    lenient.given([acquired]).when(recordContact({}, { occurredAt: plus(5 * 60_000), now: NOW })).then([customerContacted()]);
    lenient.given([acquired]).when(recordContact({}, { occurredAt: plus(5 * 60_000 + 1), now: NOW })).thenRejects('OCCURRED_AT_IN_FUTURE');
  });
});

describe('the customer decider', () => {
  it('expects amounts in CNY by default (SPEC: CRM_CURRENCY)', () => {
    expect(DEFAULT_CUSTOMER_POLICY.currency).toBe('CNY');
  });

  it('starts from a customer that does not exist', () => {
    expect(customerDecider().initialState()).toMatchObject({ exists: false, stage: null, erased: false, purchaseCount: 0 });
  });
});

describe('customer streams', () => {
  it('are named customer-<id>', () => {
    expect(customerStreamId('3f6c1b9e-8a4d-4c2e-9b7a-1d2e3f4a5b6c')).toBe('customer-3f6c1b9e-8a4d-4c2e-9b7a-1d2e3f4a5b6c');
  });

  it('give back the customer id they were built from', () => {
    expect(customerIdFromStream(customerStreamId('c-42'))).toBe('c-42');
  });

  it('keep dashes inside the id', () => {
    expect(customerIdFromStream('customer-a-b-c')).toBe('a-b-c');
  });

  it.each(['order-42', 'customers-42', 'Customer-42', 'archived-customer-42', '42'])('reject the foreign stream %s', (streamId) => {
    expect(() => customerIdFromStream(streamId)).toThrow(`Not a customer stream: ${streamId}`);
  });
});
