import {
  acquireCustomer,
  assignOwner,
  churnCustomer,
  CUSTOMER_ID,
  customerAcquired,
  customerChurned,
  customerContacted,
  customerReactivated,
  erasePersonalData,
  fileComplaint,
  giveFeedback,
  purchaseRecorded,
  reactivateCustomer,
  recordContact,
  recordPurchase,
  recorded,
  resolveComplaint,
  spec,
  updateProfile,
} from '@crm/testing';
import type { CustomerCommand } from './customer.commands';
import { customerDecider } from './customer.decider';
import { stageAfter } from './customer.evolve';
import type { RecordedCustomerEvent } from './customer.events';
import type { LifecycleStage } from './customer.state';

const customer = spec(customerDecider());
const acquired = recorded(customerAcquired());
const firstPurchase = recorded(purchaseRecorded({ orderId: 'order-1' }));
const secondPurchase = recorded(purchaseRecorded({ orderId: 'order-2' }));

describe('acquiring a customer', () => {
  it('creates the customer with the given data', () => {
    customer
      .given([])
      .when(acquireCustomer({ email: 'ada@example.com', region: 'east', tags: ['vip'], ownerId: 'owner-1' }))
      .then([customerAcquired({ email: 'ada@example.com', region: 'east', tags: ['vip'], ownerId: 'owner-1' })]);
  });

  it('defaults the tags to none', () => {
    customer.given([]).when(acquireCustomer()).then([customerAcquired({ tags: [] })]);
  });

  it('rejects acquiring the same customer twice', () => {
    customer
      .given([acquired])
      .when(acquireCustomer())
      .thenRejects('CUSTOMER_EXISTS', { kind: 'conflict', details: { customerId: CUSTOMER_ID } });
  });

  it('folds into a customer at the acquired stage, acquired at the business time', () => {
    const at = { occurredAt: '2024-01-05T08:00:00.000Z', recordedAt: '2024-01-09T10:00:00.000Z' };
    customer
      .given([recorded(customerAcquired({ region: 'east', ownerId: 'owner-1' }), at)])
      .thenState({
        exists: true,
        customerId: CUSTOMER_ID,
        stage: 'acquired',
        name: 'Ada Lovelace',
        email: null,
        phone: null,
        channel: 'web',
        type: 'consumer',
        region: 'east',
        tags: [],
        ownerId: 'owner-1',
        acquiredAt: '2024-01-05T08:00:00.000Z',
      });
  });
});

describe('commands for a customer that does not exist', () => {
  const commands: CustomerCommand[] = [
    recordContact(),
    recordPurchase(),
    fileComplaint(),
    resolveComplaint(),
    giveFeedback({ csat: 5 }),
    updateProfile({ name: 'Ada King' }),
    assignOwner('owner-1'),
    churnCustomer(),
    reactivateCustomer(),
    erasePersonalData(),
  ];

  it.each(commands.map((command) => [command.type, command] as const))('%s is rejected as not found', (_, command) => {
    customer.given([]).when(command).thenRejects('CUSTOMER_NOT_FOUND', 'not_found');
  });
});

describe('lifecycle stages', () => {
  const stageIs = (events: RecordedCustomerEvent[], stage: LifecycleStage) => customer.given(events).thenState({ stage });

  it('a first contact engages an acquired customer', () => {
    stageIs([acquired, recorded(customerContacted())], 'engaged');
  });

  it('further contacts keep an engaged customer engaged', () => {
    stageIs([acquired, recorded(customerContacted()), recorded(customerContacted())], 'engaged');
  });

  it('a first purchase converts an engaged customer', () => {
    stageIs([acquired, recorded(customerContacted()), firstPurchase], 'converted');
  });

  it('a first purchase converts a customer who was never contacted', () => {
    stageIs([acquired, firstPurchase], 'converted');
  });

  it('a second purchase retains the customer', () => {
    stageIs([acquired, firstPurchase, secondPurchase], 'retained');
  });

  it('later purchases keep the customer retained', () => {
    stageIs([acquired, firstPurchase, secondPurchase, recorded(purchaseRecorded({ orderId: 'order-3' }))], 'retained');
  });

  it('a contact does not move a converted customer back to engaged', () => {
    stageIs([acquired, firstPurchase, recorded(customerContacted())], 'converted');
  });

  it('a contact does not move a retained customer back', () => {
    stageIs([acquired, firstPurchase, secondPurchase, recorded(customerContacted())], 'retained');
  });

  it('a contact keeps a reactivated customer reactivated', () => {
    stageIs([acquired, recorded(customerChurned()), recorded(customerReactivated()), recorded(customerContacted())], 'reactivated');
  });

  const stages: [LifecycleStage, RecordedCustomerEvent[]][] = [
    ['acquired', [acquired]],
    ['engaged', [acquired, recorded(customerContacted())]],
    ['converted', [acquired, firstPurchase]],
    ['retained', [acquired, firstPurchase, secondPurchase]],
    ['reactivated', [acquired, recorded(customerChurned()), recorded(customerReactivated())]],
  ];

  it.each(stages)('a customer at the %s stage can be churned', (_, history) => {
    customer.given(history).when(churnCustomer('Too expensive')).then([customerChurned('Too expensive')]);
  });

  it.each(stages)('churning moves a customer from %s to churned, at the business time', (_, history) => {
    customer
      .given([...history, recorded(customerChurned(), { occurredAt: '2024-03-01T00:00:00.000Z' })])
      .thenState({ stage: 'churned', churnedAt: '2024-03-01T00:00:00.000Z' });
  });

  it('reactivation moves a churned customer to reactivated, at the business time', () => {
    customer
      .given([acquired, recorded(customerChurned()), recorded(customerReactivated(), { occurredAt: '2024-04-01T00:00:00.000Z' })])
      .thenState({ stage: 'reactivated', reactivatedAt: '2024-04-01T00:00:00.000Z' });
  });

  // Unreachable through decide (a churned customer cannot purchase), but read models share stageAfter.
  it('a purchase does not move a churned customer out of churned', () => {
    expect(stageAfter('churned', purchaseRecorded(), 1)).toBe('churned');
  });

  it('a reactivated customer without earlier purchases converts on the next purchase', () => {
    stageIs([acquired, recorded(customerChurned()), recorded(customerReactivated()), firstPurchase], 'converted');
  });

  it('a reactivated customer who purchased before is retained on the next purchase (lifetime count)', () => {
    stageIs([acquired, firstPurchase, recorded(customerChurned()), recorded(customerReactivated()), secondPurchase], 'retained');
  });
});

describe('churn and reactivation', () => {
  const churned = [acquired, recorded(customerChurned())];
  const reactivated = [...churned, recorded(customerReactivated())];

  it('rejects churning a churned customer', () => {
    customer.given(churned).when(churnCustomer()).thenRejects('CUSTOMER_ALREADY_CHURNED', 'conflict');
  });

  it('reactivates a churned customer (win-back), with a reason', () => {
    customer.given(churned).when(reactivateCustomer({ reason: 'Won back' })).then([customerReactivated({ reason: 'Won back' })]);
  });

  it('reactivates a churned customer without a reason', () => {
    customer.given(churned).when(reactivateCustomer()).then([customerReactivated()]);
  });

  it('rejects reactivating a customer who never churned', () => {
    customer.given([acquired]).when(reactivateCustomer()).thenRejects('CUSTOMER_NOT_CHURNED', 'conflict');
  });

  it('rejects reactivating a customer who is already reactivated', () => {
    customer.given(reactivated).when(reactivateCustomer()).thenRejects('CUSTOMER_NOT_CHURNED', 'conflict');
  });

  it('churns a reactivated customer again', () => {
    customer.given(reactivated).when(churnCustomer()).then([customerChurned()]);
  });

  it('rejects contacting a churned customer', () => {
    customer.given(churned).when(recordContact()).thenRejects('CUSTOMER_CHURNED', 'conflict');
  });

  it('rejects a purchase by a churned customer', () => {
    customer.given(churned).when(recordPurchase()).thenRejects('CUSTOMER_CHURNED', 'conflict');
  });

  it('contacts a reactivated customer again', () => {
    customer.given(reactivated).when(recordContact()).then([customerContacted()]);
  });

  it('records a purchase by a reactivated customer again', () => {
    customer.given(reactivated).when(recordPurchase()).then([purchaseRecorded()]);
  });
});
