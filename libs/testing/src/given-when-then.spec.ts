import { type Decider, DomainError } from '@crm/domain';
import { GIVEN_AT, recorded, spec } from './given-when-then';

// A toy decider, so that the helper is checked on its own and not through the customer rules.
type Added = { type: 'Added'; data: { n: number } };
type Add = { type: 'Add'; n: number };
type Recorded = Added & { metadata: { occurredAt: string } };
const counter: Decider<Add, Added, { total: number; last: string | null }, Recorded> = {
  initialState: () => ({ total: 0, last: null }),
  evolve: (state, event) => ({ total: state.total + event.data.n, last: event.metadata.occurredAt }),
  decide: (command, state) => {
    if (command.n < 0) throw new DomainError('NEGATIVE', 'unprocessable', 'n must not be negative', { n: command.n });
    if (command.n === 13) throw new TypeError('a bug');
    return command.n === 0 || state.total > 100 ? [] : [{ type: 'Added', data: { n: command.n } }];
  },
};
const added = (n: number): Added => ({ type: 'Added', data: { n } });

describe('given/when/then', () => {
  describe('then', () => {
    it('passes when decide returns exactly the expected events', () => {
      spec(counter).given([]).when({ type: 'Add', n: 2 }).then([added(2)]);
    });

    it('fails with a diff of the events when they differ', () => {
      expect(() => spec(counter).given([]).when({ type: 'Add', n: 2 }).then([added(3)])).toThrow(/"n": 3/);
    });

    it('fails on an extra undefined field, which toEqual would let through', () => {
      const withUndefined = { type: 'Added', data: { n: 2, note: undefined } } as unknown as Added;
      expect(() => spec(counter).given([]).when({ type: 'Add', n: 2 }).then([withUndefined])).toThrow();
    });

    it('fails showing the rejection code when decide rejects', () => {
      expect(() => spec(counter).given([]).when({ type: 'Add', n: -1 }).then([added(-1)])).toThrow(/NEGATIVE/);
    });

    it('refuses to be awaited, with a message that says so', async () => {
      await expect(
        (async () => {
          await (spec(counter).given([]).when({ type: 'Add', n: 2 }) as unknown);
        })(),
      ).rejects.toThrow(/not a promise/);
    });
  });

  describe('thenNothing', () => {
    it('passes when decide returns no events', () => {
      spec(counter).given([]).when({ type: 'Add', n: 0 }).thenNothing();
    });

    it('fails when decide returns events', () => {
      expect(() => spec(counter).given([]).when({ type: 'Add', n: 1 }).thenNothing()).toThrow(/Added/);
    });

    it('fails when decide rejects', () => {
      expect(() => spec(counter).given([]).when({ type: 'Add', n: -1 }).thenNothing()).toThrow(/NEGATIVE/);
    });
  });

  describe('thenRejects', () => {
    it('passes on the expected code, kind and details', () => {
      spec(counter).given([]).when({ type: 'Add', n: -1 }).thenRejects('NEGATIVE', { kind: 'unprocessable', details: { n: -1 } });
    });

    it('fails on another code', () => {
      expect(() => spec(counter).given([]).when({ type: 'Add', n: -1 }).thenRejects('POSITIVE')).toThrow(/POSITIVE/);
    });

    it('fails on another kind', () => {
      expect(() => spec(counter).given([]).when({ type: 'Add', n: -1 }).thenRejects('NEGATIVE', 'conflict')).toThrow(/conflict/);
    });

    it('fails on other details', () => {
      expect(() => spec(counter).given([]).when({ type: 'Add', n: -1 }).thenRejects('NEGATIVE', { details: { n: -2 } })).toThrow();
    });

    it('fails showing the events when decide accepts', () => {
      expect(() => spec(counter).given([]).when({ type: 'Add', n: 5 }).thenRejects('NEGATIVE')).toThrow(/Added/);
    });

    it('lets an error that is not a DomainError through as it is', () => {
      expect(() => spec(counter).given([]).when({ type: 'Add', n: 13 }).thenRejects('NEGATIVE')).toThrow(TypeError);
    });
  });

  describe('given', () => {
    it('folds the given events before deciding', () => {
      spec(counter).given([recorded(added(101))]).when({ type: 'Add', n: 1 }).thenNothing();
    });

    it('checks the folded state', () => {
      spec(counter).given([recorded(added(1)), recorded(added(2))]).thenState({ total: 3 });
      expect(() => spec(counter).given([recorded(added(1))]).thenState({ total: 3 })).toThrow();
    });
  });

  describe('recorded', () => {
    it('defaults the business time to a fixed instant', () => {
      expect(recorded(added(1)).metadata.occurredAt).toBe(GIVEN_AT);
    });

    it('takes the business time per event, and records at that time unless told otherwise', () => {
      const event = recorded(added(1), { occurredAt: '2024-02-02T00:00:00.000Z' });
      expect(event.metadata).toMatchObject({ occurredAt: '2024-02-02T00:00:00.000Z', recordedAt: '2024-02-02T00:00:00.000Z' });
    });

    it('keeps the bare event as it is', () => {
      expect(recorded(added(1))).toMatchObject(added(1));
    });
  });
});
