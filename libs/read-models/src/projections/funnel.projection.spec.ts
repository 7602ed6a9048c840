import { funnelProjection } from './funnel.projection';
import { acquired, churned, contacted, fold, purchased, reactivated, stream } from './projection.fixtures';

const member = (...events: Parameters<typeof stream>[0]) => fold(funnelProjection, stream(events))!;

describe('funnel projection', () => {
  it('puts the customer in the UTC month of acquisition', () => {
    expect(member([acquired(), '2026-01-31T23:59:59.999Z']).cohort).toBe('2026-01');
    expect(member([acquired(), '2026-02-01T00:00:00.000Z']).cohort).toBe('2026-02');
  });

  it('keeps the furthest stage reached, never moving back', () => {
    expect(member(acquired()).furthest).toBe('acquired');
    expect(member(acquired(), contacted()).furthest).toBe('engaged');
    expect(member(acquired(), purchased('o-1', 1)).furthest).toBe('converted');
    expect(member(acquired(), purchased('o-1', 1), purchased('o-2', 1), contacted()).furthest).toBe('retained');
  });

  it('marks churned customers, and unmarks them on reactivation', () => {
    expect(member(acquired(), churned()).churned).toBe(true);
    expect(member(acquired(), churned(), reactivated()).churned).toBe(false);
    expect(member(acquired(), purchased('o-1', 1), churned()).furthest).toBe('converted');
  });
});
