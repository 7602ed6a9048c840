import { customerAcquired, customerChurned, customerReactivated, purchaseRecorded, recordPurchase, recorded, spec } from '@crm/testing';
import { customerDecider } from './customer.decider';

const customer = spec(customerDecider());
const acquired = recorded(customerAcquired());

describe('recording a purchase', () => {
  it('records the purchase in minor units and the configured currency', () => {
    customer
      .given([acquired])
      .when(recordPurchase({ orderId: 'order-7', amountMinor: 4_990, currency: 'CNY' }))
      .then([purchaseRecorded({ orderId: 'order-7', amountMinor: 4_990, currency: 'CNY' })]);
  });

  it('records a second purchase with another order id', () => {
    customer
      .given([acquired, recorded(purchaseRecorded({ orderId: 'order-1' }))])
      .when(recordPurchase({ orderId: 'order-2' }))
      .then([purchaseRecorded({ orderId: 'order-2' })]);
  });

  it('accepts a repeated order id as a no-op, not a second purchase', () => {
    customer.given([acquired, recorded(purchaseRecorded({ orderId: 'order-1' }))]).when(recordPurchase({ orderId: 'order-1' })).thenNothing();
  });

  it('treats a repeated order id as a no-op even when its amount differs', () => {
    customer
      .given([acquired, recorded(purchaseRecorded({ orderId: 'order-1', amountMinor: 100 }))])
      .when(recordPurchase({ orderId: 'order-1', amountMinor: 999 }))
      .thenNothing();
  });

  it('remembers order ids across churn and reactivation', () => {
    customer
      .given([acquired, recorded(purchaseRecorded({ orderId: 'order-1' })), recorded(customerChurned()), recorded(customerReactivated())])
      .when(recordPurchase({ orderId: 'order-1' }))
      .thenNothing();
  });

  it('rejects an amount in another currency than the configured one', () => {
    customer
      .given([acquired])
      .when(recordPurchase({ currency: 'USD' }))
      .thenRejects('CURRENCY_MISMATCH', { kind: 'unprocessable', details: { expected: 'CNY', actual: 'USD' } });
  });

  it('takes the currency from the policy', () => {
    const usd = spec(customerDecider({ currency: 'USD', maxFutureSkewMs: 0 }));
    usd.given([acquired]).when(recordPurchase({ currency: 'USD' })).then([purchaseRecorded({ currency: 'USD' })]);
    usd.given([acquired]).when(recordPurchase({ currency: 'CNY' })).thenRejects('CURRENCY_MISMATCH');
  });

  it.each([
    ['zero', 0],
    ['negative', -100],
    ['fractional', 12.5],
    ['beyond the safe integer range', Number.MAX_SAFE_INTEGER + 1],
    ['not a number', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('rejects an amount that is %s', (_, amountMinor) => {
    customer.given([acquired]).when(recordPurchase({ amountMinor })).thenRejects('INVALID_AMOUNT', 'unprocessable');
  });

  it('accepts the smallest and the largest safe amount', () => {
    customer.given([acquired]).when(recordPurchase({ amountMinor: 1 })).then([purchaseRecorded({ amountMinor: 1 })]);
    customer
      .given([acquired])
      .when(recordPurchase({ amountMinor: Number.MAX_SAFE_INTEGER }))
      .then([purchaseRecorded({ amountMinor: Number.MAX_SAFE_INTEGER })]);
  });
});

describe('purchase totals', () => {
  it('count the purchases and add up the spend', () => {
    customer
      .given([
        acquired,
        recorded(purchaseRecorded({ orderId: 'order-1', amountMinor: 1_000 })),
        recorded(purchaseRecorded({ orderId: 'order-2', amountMinor: 2_500 })),
      ])
      .thenState({ purchaseCount: 2, totalSpendMinor: 3_500 });
  });

  it('take the first and last purchase times from the business time', () => {
    customer
      .given([
        acquired,
        recorded(purchaseRecorded({ orderId: 'order-1' }), { occurredAt: '2024-02-01T00:00:00.000Z', recordedAt: '2024-05-01T00:00:00.000Z' }),
        recorded(purchaseRecorded({ orderId: 'order-2' }), { occurredAt: '2024-03-01T00:00:00.000Z', recordedAt: '2024-05-01T00:00:00.000Z' }),
      ])
      .thenState({ firstPurchaseAt: '2024-02-01T00:00:00.000Z', lastPurchaseAt: '2024-03-01T00:00:00.000Z' });
  });

  it('keep first and last right when a purchase is reported after a later one', () => {
    customer
      .given([
        acquired,
        recorded(purchaseRecorded({ orderId: 'order-2' }), { occurredAt: '2024-03-01T00:00:00.000Z' }),
        recorded(purchaseRecorded({ orderId: 'order-1' }), { occurredAt: '2024-02-01T00:00:00.000Z' }),
        recorded(purchaseRecorded({ orderId: 'order-3' }), { occurredAt: '2024-02-15T00:00:00.000Z' }),
      ])
      .thenState({ purchaseCount: 3, firstPurchaseAt: '2024-02-01T00:00:00.000Z', lastPurchaseAt: '2024-03-01T00:00:00.000Z' });
  });

  it('remember every order id', () => {
    const state = customer
      .given([acquired, recorded(purchaseRecorded({ orderId: 'order-1' })), recorded(purchaseRecorded({ orderId: 'order-2' }))])
      .state();
    expect([...state.orderIds]).toEqual(['order-1', 'order-2']);
  });

  it('start empty', () => {
    customer.given([acquired]).thenState({ purchaseCount: 0, totalSpendMinor: 0, firstPurchaseAt: null, lastPurchaseAt: null });
  });
});
