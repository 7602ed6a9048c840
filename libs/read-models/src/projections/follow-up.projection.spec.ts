import { followUpProjection } from './follow-up.projection';
import { acquired, churned, contacted, erased, fold, ownerAssigned, reactivated, stream } from './projection.fixtures';

const followUp = (...events: Parameters<typeof stream>[0]) => fold(followUpProjection, stream(events))!;

describe('follow-up projection', () => {
  it('is due at the next follow-up date of the last contact, in canonical ISO', () => {
    const doc = followUp(acquired({ ownerId: 'u-1' }), contacted({ nextFollowUpAt: '2026-03-01T09:00:00+08:00' }));
    expect(doc).toMatchObject({ ownerId: 'u-1', dueAt: '2026-03-01T01:00:00.000Z', lastOutcome: 'reached', live: true });
  });

  it('is due at once after "follow-up-needed" without a date', () => {
    expect(followUp(acquired(), contacted({ outcome: 'follow-up-needed' })).dueAt).toBe('2026-01-02T10:00:00.000Z');
  });

  it('is settled by a later contact without a follow-up', () => {
    expect(followUp(acquired(), contacted({ nextFollowUpAt: '2026-03-01T09:00:00Z' }), contacted()).dueAt).toBeNull();
  });

  it('follows owner changes and drops out while churned or erased', () => {
    expect(followUp(acquired(), ownerAssigned('u-2')).ownerId).toBe('u-2');
    expect(followUp(acquired(), churned()).live).toBe(false);
    expect(followUp(acquired(), churned(), reactivated()).live).toBe(true);
    expect(followUp(acquired(), erased()).live).toBe(false);
  });
});
