import { customerAcquired, customerContacted, recordContact, recorded, spec } from '@crm/testing';
import { customerDecider } from './customer.decider';

const customer = spec(customerDecider());
const acquired = recorded(customerAcquired());

describe('recording a contact', () => {
  it('records the contact with its outcome, summary and next follow-up', () => {
    const data = {
      channel: 'email',
      direction: 'inbound',
      outcome: 'follow-up-needed',
      summary: 'Asked for a quote',
      nextFollowUpAt: '2024-06-10T09:00:00.000Z',
    } as const;
    customer.given([acquired]).when(recordContact(data)).then([customerContacted(data)]);
  });

  it('counts contacts and keeps the latest contact time by business time', () => {
    customer
      .given([
        acquired,
        recorded(customerContacted(), { occurredAt: '2024-03-01T00:00:00.000Z' }),
        recorded(customerContacted(), { occurredAt: '2024-02-01T00:00:00.000Z' }),
      ])
      .thenState({ contactCount: 2, lastContactAt: '2024-03-01T00:00:00.000Z' });
  });

  it('takes the next follow-up from the contact recorded last', () => {
    customer
      .given([
        acquired,
        recorded(customerContacted({ nextFollowUpAt: '2024-03-10T00:00:00.000Z' })),
        recorded(customerContacted({ nextFollowUpAt: '2024-04-10T00:00:00.000Z' })),
      ])
      .thenState({ nextFollowUpAt: '2024-04-10T00:00:00.000Z' });
  });

  it('clears the next follow-up when the latest contact sets none', () => {
    customer
      .given([acquired, recorded(customerContacted({ nextFollowUpAt: '2024-03-10T00:00:00.000Z' })), recorded(customerContacted())])
      .thenState({ nextFollowUpAt: null });
  });
});
