import {
  acquireCustomer,
  assignOwner,
  churnCustomer,
  complaintFiled,
  customerAcquired,
  customerChurned,
  erasePersonalData,
  fileComplaint,
  giveFeedback,
  personalDataErased,
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
import { CUSTOMER_EVENT_TYPES, type CustomerEventType, ERASED } from './customer.events';
import { PERSONAL_FIELDS, personalFieldsOf } from './personal-data';

const customer = spec(customerDecider());
const acquired = recorded(customerAcquired({ name: 'Ada Lovelace', email: 'ada@example.com', region: 'east' }));
const erased = [acquired, recorded(complaintFiled()), recorded(personalDataErased())];

describe('erasing personal data', () => {
  it('erases a customer', () => {
    customer.given([acquired]).when(erasePersonalData()).then([personalDataErased()]);
  });

  it('erases a churned customer', () => {
    customer.given([acquired, recorded(customerChurned())]).when(erasePersonalData()).then([personalDataErased()]);
  });

  it('is a no-op the second time', () => {
    customer.given(erased).when(erasePersonalData()).thenNothing();
  });

  it('shows "[erased]" for the personal fields that were set, and keeps unset ones empty', () => {
    customer.given(erased).thenState({ erased: true, name: ERASED, email: ERASED, phone: null });
  });

  it('keeps the facts: stage, region, purchases', () => {
    customer
      .given([acquired, recorded(purchaseRecorded({ amountMinor: 500 })), recorded(personalDataErased())])
      .thenState({ stage: 'converted', region: 'east', purchaseCount: 1, totalSpendMinor: 500 });
  });

  const later: CustomerCommand[] = [
    recordContact(),
    recordPurchase(),
    fileComplaint({ complaintId: 'c-2' }),
    resolveComplaint(),
    giveFeedback({ csat: 5 }),
    updateProfile({ name: 'Someone' }),
    assignOwner('owner-1'),
    churnCustomer(),
    reactivateCustomer(),
  ];

  it.each(later.map((command) => [command.type, command] as const))('rejects %s after erasure', (_, command) => {
    customer.given(erased).when(command).thenRejects('CUSTOMER_ERASED', 'conflict');
  });

  it('rejects reactivating an erased churned customer as erased', () => {
    customer
      .given([acquired, recorded(customerChurned()), recorded(personalDataErased())])
      .when(reactivateCustomer())
      .thenRejects('CUSTOMER_ERASED');
  });

  it('rejects acquiring an erased customer again as existing (the stream stays)', () => {
    customer.given(erased).when(acquireCustomer()).thenRejects('CUSTOMER_EXISTS', 'conflict');
  });
});

describe('personal fields per event type', () => {
  it('has an entry for every customer event type and no other', () => {
    expect(Object.keys(PERSONAL_FIELDS).sort()).toEqual([...CUSTOMER_EVENT_TYPES].sort());
  });

  // Identity fields and free text (SPEC: Security); typed as a full record so a new event type must be added here.
  const expected: Record<CustomerEventType, string[]> = {
    CustomerAcquired: ['email', 'name', 'phone'],
    CustomerContacted: ['summary'],
    PurchaseRecorded: [],
    ComplaintFiled: ['description'],
    ComplaintResolved: ['resolution'],
    FeedbackGiven: ['comment'],
    ProfileUpdated: ['email', 'name', 'phone'],
    OwnerAssigned: [],
    CustomerChurned: ['reason'],
    CustomerReactivated: ['reason'],
    PersonalDataErased: [],
  };

  it.each([...CUSTOMER_EVENT_TYPES])('%s lists its identity and free-text fields', (type) => {
    expect([...personalFieldsOf(type)].sort()).toEqual(expected[type]);
  });

  it('has no personal fields for an unknown type', () => {
    expect(personalFieldsOf('SomethingElse')).toEqual([]);
  });
});
