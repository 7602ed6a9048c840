import { riskLevelOf } from './churn-risk';
import { bought, daysAgo, only } from './segmentation.fixtures';
import type { CustomerFacts } from './segmentation.types';

// The fixture customer bought yesterday and was contacted today, so every term starts at 0.
const recent = [bought(1)];
const score = (over: Partial<CustomerFacts>) => only({ purchases: recent, ...over }).risk.score;

describe('churn risk terms', () => {
  it('scores 0 with a recent purchase, a recent contact, no complaints and no feedback', () => {
    expect(score({})).toBe(0);
  });

  it.each([
    ['90 days', bought(90), 0],
    ['90 days + 1 ms', bought(90, 100, 1), 20],
    ['exactly 180 days (not > 180)', bought(180), 20],
    ['180 days + 1 ms', bought(180, 100, 1), 40],
    ['2 years', bought(730), 40],
  ])('last purchase %s old', (_label, purchase, points) => {
    expect(score({ purchases: [purchase] })).toBe(points);
  });

  it('takes the age of the latest purchase, whatever the order', () => {
    expect(score({ purchases: [bought(10), bought(300)] })).toBe(0);
  });

  it('gives no purchase-age points to a customer who never purchased', () => {
    expect(score({ purchases: [] })).toBe(0);
  });

  it.each([
    ['exactly 90 days ago', daysAgo(90), 0],
    ['90 days + 1 ms ago', daysAgo(90, 1), 20],
    ['never', null, 20],
  ])('last contact %s', (_label, lastContactAt, points) => {
    expect(score({ lastContactAt })).toBe(points);
  });

  it.each([
    [['low'], 15],
    [['low', 'medium'], 30],
    [['low', 'medium', 'low'], 30],
    [['medium'], 15],
    [['high'], 25],
    [['critical'], 25],
    [['critical', 'critical', 'high'], 40],
  ] as const)('open complaints %p', (openComplaintSeverities, points) => {
    expect(score({ openComplaintSeverities })).toBe(points);
  });

  it.each([
    [2, null, 10],
    [3, null, 0],
    [null, 6, 10],
    [null, 7, 0],
    [1, 0, 10],
    [5, 10, 0],
  ])('latest CSAT %p, NPS %p', (csatLast, npsLast, points) => {
    expect(score({ csatLast, npsLast })).toBe(points);
  });

  it('adds the terms: 20 + 20 + 15 = 55', () => {
    expect(score({ purchases: [bought(100)], lastContactAt: null, openComplaintSeverities: ['low'] })).toBe(55);
  });

  it('caps all terms together (40 + 20 + 30 + 10 + 10 = 110) at 100', () => {
    const worst = { purchases: [bought(400)], lastContactAt: null, csatLast: 1, npsLast: 0 };
    expect(score({ ...worst, openComplaintSeverities: ['critical', 'low', 'low'] })).toBe(100);
    expect(score({ ...worst, openComplaintSeverities: ['low', 'low'] })).toBe(100); // 40 + 20 + 30 + 10
    expect(score({ ...worst, openComplaintSeverities: ['low'] })).toBe(85); // 40 + 20 + 15 + 10
  });

  it('reports the level with the score', () => {
    expect(only({ purchases: [bought(400)], lastContactAt: null }).risk).toEqual({ score: 60, level: 'high' });
  });
});

describe('riskLevelOf', () => {
  it.each([
    [0, 'low'],
    [29, 'low'],
    [30, 'medium'],
    [59, 'medium'],
    [60, 'high'],
    [100, 'high'],
  ] as const)('%i is %s', (s, level) => {
    expect(riskLevelOf(s)).toBe(level);
  });
});
