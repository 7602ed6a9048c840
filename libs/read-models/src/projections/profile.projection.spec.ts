import { profileProjection } from './profile.projection';
import { acquired, churned, complained, contacted, erased, feedback, fold, ownerAssigned, purchased, reactivated, resolved, stream } from './projection.fixtures';

const profile = (...events: Parameters<typeof stream>[0]) => fold(profileProjection, stream(events))!;

describe('profile projection', () => {
  it('starts acquired with the acquisition facts and no personal field', () => {
    const doc = profile(acquired({ region: 'east', ownerId: 'u-1', phone: 'enc' }));
    expect(doc).toMatchObject({ stage: 'acquired', channel: 'web', type: 'consumer', region: 'east', ownerId: 'u-1', tags: ['a'], hasEmail: true, hasPhone: true });
    expect(doc.acquiredAt).toBe('2026-01-01T10:00:00.000Z');
    expect(JSON.stringify(doc)).not.toContain('enc');
  });

  it('follows the lifecycle: engaged, converted, retained, churned, reactivated, retained', () => {
    expect(profile(acquired(), contacted()).stage).toBe('engaged');
    expect(profile(acquired(), contacted(), purchased('o-1', 100)).stage).toBe('converted');
    expect(profile(acquired(), purchased('o-1', 100)).stage).toBe('converted');
    expect(profile(acquired(), purchased('o-1', 100), purchased('o-2', 100)).stage).toBe('retained');
    expect(profile(acquired(), purchased('o-1', 100), churned()).stage).toBe('churned');
    expect(profile(acquired(), purchased('o-1', 100), churned(), reactivated()).stage).toBe('reactivated');
    expect(profile(acquired(), purchased('o-1', 100), churned(), reactivated(), purchased('o-2', 1)).stage).toBe('retained');
  });

  it('adds up purchases in minor units and keeps the latest business times', () => {
    const doc = profile(acquired(), purchased('o-1', 1999), [purchased('o-2', 1), '2025-12-31T00:00:00.000Z'], contacted({ nextFollowUpAt: '2026-02-01T09:00:00Z' }));
    expect(doc).toMatchObject({ purchaseCount: 2, totalSpendMinor: 2000, lastPurchaseAt: '2026-01-02T10:00:00.000Z' });
    expect(doc.lastContactAt).toBe('2026-01-04T10:00:00.000Z');
    expect(doc.nextFollowUpAt).toBe('2026-02-01T09:00:00.000Z');
  });

  it('counts open complaints and the latest scores', () => {
    const doc = profile(acquired(), complained('k-1'), complained('k-2'), resolved('k-1'), feedback(2), feedback(undefined, 9));
    expect(doc).toMatchObject({ openComplaints: 1, openComplaintIds: ['k-2'], csatLast: 2, npsLast: 9 });
  });

  it('follows the owner and marks erasure', () => {
    const doc = profile(acquired(), ownerAssigned('u-7'), erased());
    expect(doc).toMatchObject({ ownerId: 'u-7', erased: true });
  });
});
