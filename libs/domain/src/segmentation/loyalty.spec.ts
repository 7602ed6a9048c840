import { bought, only } from './segmentation.fixtures';
import { DEFAULT_SEGMENTATION_THRESHOLDS } from './segmentation.thresholds';

const MS = 1;

describe('loyalty class', () => {
  it('never purchased: potential', () => {
    expect(only({ purchases: [] }).loyalty).toBe('potential');
  });

  it('first purchase exactly 90 days ago: new', () => {
    expect(only({ purchases: [bought(90)] }).loyalty).toBe('new');
  });

  it('first purchase 90 days + 1 ms ago: no longer new', () => {
    expect(only({ purchases: [bought(90, 100, MS)] }).loyalty).toBe('returning');
  });

  it('4 purchases in the window, first exactly 180 days ago: loyal', () => {
    expect(only({ purchases: [bought(180), bought(100), bought(50), bought(1)] }).loyalty).toBe('loyal');
  });

  it('4 purchases in the window, first 180 days - 1 ms ago: returning', () => {
    const first = { at: bought(180).at + MS, amountMinor: 100 };
    expect(only({ purchases: [first, bought(100), bought(50), bought(1)] }).loyalty).toBe('returning');
  });

  it('3 purchases in the window, first long ago: returning', () => {
    expect(only({ purchases: [bought(300), bought(100), bought(1)] }).loyalty).toBe('returning');
  });

  it('4 purchases but one outside the window: returning', () => {
    expect(only({ purchases: [bought(400), bought(100), bought(50), bought(1)] }).loyalty).toBe('returning');
  });

  it('a lapsed customer with no purchase in the window is still returning, not potential', () => {
    expect(only({ purchases: [bought(700)] }).loyalty).toBe('returning');
  });

  it('checks new before loyal when thresholds make both apply', () => {
    const t = { ...DEFAULT_SEGMENTATION_THRESHOLDS, newDays: 200 };
    expect(only({ purchases: [bought(190), bought(100), bought(50), bought(1)] }, t).loyalty).toBe('new');
  });
});
