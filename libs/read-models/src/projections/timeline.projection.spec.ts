import { timelineProjection } from './timeline.projection';
import { acquired, churned, complained, contacted, erased, feedback, fold, purchased, reactivated, resolved, stream } from './projection.fixtures';

const ms = (iso: string) => Date.parse(iso);

describe('timeline projection', () => {
  it('records every dated fact segmentation and KPIs need, in business time', () => {
    const doc = fold(
      timelineProjection,
      stream([
        [acquired(), '2026-01-01T00:00:00.000Z'],
        [contacted(), '2026-01-02T00:00:00.000Z'],
        [purchased('o-1', 300), '2026-01-03T00:00:00.000Z'],
        [complained('k-1', 'high'), '2026-01-04T00:00:00.000Z'],
        [resolved('k-1'), '2026-01-05T00:00:00.000Z'],
        [feedback(4, 8), '2026-01-06T00:00:00.000Z'],
        [churned(), '2026-01-07T00:00:00.000Z'],
        [reactivated(), '2026-01-08T00:00:00.000Z'],
        [erased(), '2026-01-09T00:00:00.000Z'],
      ]),
    )!;
    expect(doc).toMatchObject({
      acquiredAt: ms('2026-01-01T00:00:00.000Z'),
      contacts: [ms('2026-01-02T00:00:00.000Z')],
      purchases: [{ at: ms('2026-01-03T00:00:00.000Z'), amountMinor: 300 }],
      complaints: [{ id: 'k-1', severity: 'high', filedAt: ms('2026-01-04T00:00:00.000Z'), resolvedAt: ms('2026-01-05T00:00:00.000Z') }],
      feedback: [{ at: ms('2026-01-06T00:00:00.000Z'), csat: 4, nps: 8 }],
      churnEvents: [
        { at: ms('2026-01-07T00:00:00.000Z'), kind: 'churned' },
        { at: ms('2026-01-08T00:00:00.000Z'), kind: 'reactivated' },
      ],
      erasedAt: ms('2026-01-09T00:00:00.000Z'),
    });
  });
});
