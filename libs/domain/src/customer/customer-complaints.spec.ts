import {
  complaintFiled,
  complaintResolved,
  customerAcquired,
  customerChurned,
  feedbackGiven,
  fileComplaint,
  giveFeedback,
  recorded,
  resolveComplaint,
  spec,
} from '@crm/testing';
import { customerDecider } from './customer.decider';
import { openComplaints } from './customer.state';

const customer = spec(customerDecider());
const acquired = recorded(customerAcquired());
const filed = (complaintId: string, occurredAt?: string) => recorded(complaintFiled({ complaintId }), { occurredAt });
const resolved = (complaintId: string, occurredAt?: string) => recorded(complaintResolved({ complaintId }), { occurredAt });

describe('filing a complaint', () => {
  it('files the complaint', () => {
    customer
      .given([acquired])
      .when(fileComplaint({ complaintId: 'c-1', category: 'billing', severity: 'critical', description: 'Charged twice' }))
      .then([complaintFiled({ complaintId: 'c-1', category: 'billing', severity: 'critical', description: 'Charged twice' })]);
  });

  it('rejects a complaint id that is already open', () => {
    customer.given([acquired, filed('c-1')]).when(fileComplaint({ complaintId: 'c-1' })).thenRejects('COMPLAINT_EXISTS', 'conflict');
  });

  it('rejects a complaint id that was already resolved', () => {
    customer
      .given([acquired, filed('c-1'), resolved('c-1')])
      .when(fileComplaint({ complaintId: 'c-1' }))
      .thenRejects('COMPLAINT_EXISTS', 'conflict');
  });

  it('accepts a complaint from a churned customer', () => {
    customer.given([acquired, recorded(customerChurned())]).when(fileComplaint()).then([complaintFiled()]);
  });

  it('folds an open complaint with its category, severity and filing time', () => {
    const filedAt = '2024-02-01T00:00:00.000Z';
    customer.given([acquired, recorded(complaintFiled({ complaintId: 'c-1', severity: 'high' }), { occurredAt: filedAt })]).thenState({
      complaints: {
        'c-1': { complaintId: 'c-1', category: 'delivery', severity: 'high', status: 'open', filedAt, resolvedAt: null, satisfaction: null },
      },
    });
  });
});

describe('resolving a complaint', () => {
  it('resolves an open complaint, with the satisfaction given', () => {
    customer
      .given([acquired, filed('c-1')])
      .when(resolveComplaint({ complaintId: 'c-1', resolution: 'Refunded', satisfaction: 4 }))
      .then([complaintResolved({ complaintId: 'c-1', resolution: 'Refunded', satisfaction: 4 })]);
  });

  it('resolves an open complaint without a satisfaction', () => {
    customer.given([acquired, filed('c-1')]).when(resolveComplaint({ complaintId: 'c-1' })).then([complaintResolved({ complaintId: 'c-1' })]);
  });

  it('rejects resolving an unknown complaint, naming the open ones', () => {
    customer
      .given([acquired, filed('c-1')])
      .when(resolveComplaint({ complaintId: 'c-9' }))
      .thenRejects('COMPLAINT_NOT_OPEN', { kind: 'conflict', details: { openComplaints: ['c-1'] } });
  });

  it('rejects resolving a complaint twice', () => {
    customer
      .given([acquired, filed('c-1'), resolved('c-1')])
      .when(resolveComplaint({ complaintId: 'c-1' }))
      .thenRejects('COMPLAINT_NOT_OPEN', 'conflict');
  });

  it.each([0, 6, 2.5])('rejects a satisfaction of %s (it is 1..5)', (satisfaction) => {
    customer
      .given([acquired, filed('c-1')])
      .when(resolveComplaint({ complaintId: 'c-1', satisfaction }))
      .thenRejects('INVALID_SCORE', 'unprocessable');
  });

  it.each([1, 5])('accepts a satisfaction of %s', (satisfaction) => {
    customer
      .given([acquired, filed('c-1')])
      .when(resolveComplaint({ complaintId: 'c-1', satisfaction }))
      .then([complaintResolved({ complaintId: 'c-1', satisfaction })]);
  });

  it('folds the resolution time and satisfaction into the complaint', () => {
    customer
      .given([
        acquired,
        filed('c-1', '2024-02-01T00:00:00.000Z'),
        recorded(complaintResolved({ complaintId: 'c-1', satisfaction: 2 }), { occurredAt: '2024-02-03T00:00:00.000Z' }),
      ])
      .thenState({
        complaints: {
          'c-1': expect.objectContaining({
            status: 'resolved',
            filedAt: '2024-02-01T00:00:00.000Z',
            resolvedAt: '2024-02-03T00:00:00.000Z',
            satisfaction: 2,
          }),
        },
      });
  });

  it('counts only the complaints still open', () => {
    const state = customer.given([acquired, filed('c-1'), filed('c-2'), filed('c-3'), resolved('c-2')]).state();
    expect(openComplaints(state).map((c) => c.complaintId)).toEqual(['c-1', 'c-3']);
  });
});

describe('giving feedback', () => {
  it('records a csat score with a comment', () => {
    customer
      .given([acquired])
      .when(giveFeedback({ csat: 4, comment: 'Quick delivery' }))
      .then([feedbackGiven({ csat: 4, comment: 'Quick delivery' })]);
  });

  it('records an nps score alone', () => {
    customer.given([acquired]).when(giveFeedback({ nps: 9 })).then([feedbackGiven({ nps: 9 })]);
  });

  it('records both scores together', () => {
    customer.given([acquired]).when(giveFeedback({ csat: 3, nps: 7 })).then([feedbackGiven({ csat: 3, nps: 7 })]);
  });

  it('rejects feedback without any score', () => {
    customer.given([acquired]).when(giveFeedback({ comment: 'Meh' })).thenRejects('FEEDBACK_SCORE_REQUIRED', 'unprocessable');
  });

  it.each([0, 6, 4.5, Number.NaN])('rejects a csat of %s (it is 1..5)', (csat) => {
    customer.given([acquired]).when(giveFeedback({ csat })).thenRejects('INVALID_SCORE', 'unprocessable');
  });

  it.each([-1, 11, 7.5, Number.NaN])('rejects an nps of %s (it is 0..10)', (nps) => {
    customer.given([acquired]).when(giveFeedback({ nps })).thenRejects('INVALID_SCORE', 'unprocessable');
  });

  it('rejects a valid csat given with an invalid nps', () => {
    customer.given([acquired]).when(giveFeedback({ csat: 5, nps: 11 })).thenRejects('INVALID_SCORE');
  });

  it.each([
    [{ csat: 1 }],
    [{ csat: 5 }],
    [{ nps: 0 }],
    [{ nps: 10 }],
  ])('accepts the boundary score %o', (scores) => {
    customer.given([acquired]).when(giveFeedback(scores)).then([feedbackGiven(scores)]);
  });

  it('keeps the latest csat and nps', () => {
    customer
      .given([acquired, recorded(feedbackGiven({ csat: 5, nps: 10 })), recorded(feedbackGiven({ csat: 2, nps: 3 }))])
      .thenState({ csatLast: 2, npsLast: 3 });
  });

  it('keeps the last csat when later feedback gives only an nps', () => {
    customer.given([acquired, recorded(feedbackGiven({ csat: 4 })), recorded(feedbackGiven({ nps: 0 }))]).thenState({ csatLast: 4, npsLast: 0 });
  });

  it('has no scores before any feedback', () => {
    customer.given([acquired]).thenState({ csatLast: null, npsLast: null });
  });
});
