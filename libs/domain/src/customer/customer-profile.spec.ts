import { assignOwner, customerAcquired, customerChurned, ownerAssigned, profileUpdated, recorded, spec, updateProfile } from '@crm/testing';
import { customerDecider } from './customer.decider';

const customer = spec(customerDecider());
const profile = {
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  phone: '+8613800000000',
  type: 'consumer',
  region: 'east',
  tags: ['a', 'b'],
} as const;
const acquired = recorded(customerAcquired({ ...profile, tags: [...profile.tags] }));

describe('updating the profile', () => {
  it('emits only the fields that changed', () => {
    customer
      .given([acquired])
      .when(updateProfile({ name: 'Ada Lovelace', email: 'ada@newmail.com', type: 'consumer', region: 'west' }))
      .then([profileUpdated({ email: 'ada@newmail.com', region: 'west' })]);
  });

  it('updates the name, phone and type', () => {
    customer
      .given([acquired])
      .when(updateProfile({ name: 'Ada King', phone: '+8613900000000', type: 'business' }))
      .then([profileUpdated({ name: 'Ada King', phone: '+8613900000000', type: 'business' })]);
  });

  it('is a no-op when nothing changes', () => {
    customer
      .given([acquired])
      .when(updateProfile({ ...profile, tags: ['a', 'b'] }))
      .thenNothing();
  });

  it('is a no-op when no field is given', () => {
    customer.given([acquired]).when(updateProfile({})).thenNothing();
  });

  it('clears an optional field with null', () => {
    customer
      .given([acquired])
      .when(updateProfile({ email: null, phone: null, region: null }))
      .then([profileUpdated({ email: null, phone: null, region: null })]);
  });

  it('is a no-op when clearing a field that is not set', () => {
    customer.given([recorded(customerAcquired())]).when(updateProfile({ email: null, phone: null, region: null })).thenNothing();
  });

  it('is a no-op for the same tags in the same order', () => {
    customer.given([acquired]).when(updateProfile({ tags: ['a', 'b'] })).thenNothing();
  });

  it('emits tags that differ in one element', () => {
    customer.given([acquired]).when(updateProfile({ tags: ['a', 'c'] })).then([profileUpdated({ tags: ['a', 'c'] })]);
  });

  it('emits tags that add an element', () => {
    customer.given([acquired]).when(updateProfile({ tags: ['a', 'b', 'c'] })).then([profileUpdated({ tags: ['a', 'b', 'c'] })]);
  });

  it('emits tags that remove every element', () => {
    customer.given([acquired]).when(updateProfile({ tags: [] })).then([profileUpdated({ tags: [] })]);
  });

  it('treats the same tags in another order as a change (tags are an ordered list)', () => {
    customer.given([acquired]).when(updateProfile({ tags: ['b', 'a'] })).then([profileUpdated({ tags: ['b', 'a'] })]);
  });

  it('accepts an update for a churned customer', () => {
    customer.given([acquired, recorded(customerChurned())]).when(updateProfile({ region: 'west' })).then([profileUpdated({ region: 'west' })]);
  });

  it('folds the changed fields and leaves the others as they were', () => {
    customer
      .given([acquired, recorded(profileUpdated({ name: 'Ada King', phone: null, tags: ['c'] }))])
      .thenState({ name: 'Ada King', email: 'ada@example.com', phone: null, type: 'consumer', region: 'east', tags: ['c'] });
  });
});

describe('assigning an owner', () => {
  it('assigns an owner to a customer without one', () => {
    customer.given([acquired]).when(assignOwner('owner-1')).then([ownerAssigned('owner-1')]);
  });

  it('reassigns to another owner', () => {
    customer.given([acquired, recorded(ownerAssigned('owner-1'))]).when(assignOwner('owner-2')).then([ownerAssigned('owner-2')]);
  });

  it('is a no-op for the current owner', () => {
    customer.given([acquired, recorded(ownerAssigned('owner-1'))]).when(assignOwner('owner-1')).thenNothing();
  });

  it('is a no-op for the owner given at acquisition', () => {
    customer.given([recorded(customerAcquired({ ownerId: 'owner-1' }))]).when(assignOwner('owner-1')).thenNothing();
  });

  it('folds the latest owner', () => {
    customer.given([acquired, recorded(ownerAssigned('owner-1')), recorded(ownerAssigned('owner-2'))]).thenState({ ownerId: 'owner-2' });
  });
});
