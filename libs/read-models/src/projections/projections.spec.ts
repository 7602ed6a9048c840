import { READ_MODEL_PROJECTIONS } from './read-model-projections';
import { project, RevisionGapError } from './projection';
import { acquired, contacted, fold, ownerAssigned, purchased, stream } from './projection.fixtures';

const events = stream([acquired(), contacted(), purchased('o-1', 500), purchased('o-2', 700)]);

describe.each(READ_MODEL_PROJECTIONS.map((p) => [p.name, p] as const))('the %s projection', (_, projection) => {
  it('treats an event applied before as a no-op, so replaying a stream twice changes nothing', () => {
    const once = fold(projection, events);
    const twice = fold(projection, events, once);
    expect(twice).toBe(once);
    expect(project(projection, once, events[1])).toBe(once);
  });

  it('refuses an event of a customer it has not seen acquired (events are missing)', () => {
    expect(() => project(projection, null, events[1])).toThrow(RevisionGapError);
  });

  it('stamps the document with the revision and position of the last event that changed it', () => {
    const doc = fold(projection, events)!;
    expect(doc._id).toBe(events[0].customerId);
    const changedBy = events.filter((e, i) => {
      const before = fold(projection, events.slice(0, i));
      return project(projection, before, e) !== before;
    });
    expect(changedBy.length).toBeGreaterThan(1);
    expect(doc.revision).toBe(changedBy.at(-1)!.revision);
    expect(doc.position).toBe(changedBy.at(-1)!.position);
  });
});

describe('the profile projection, which every event changes', () => {
  const profile = READ_MODEL_PROJECTIONS.find((p) => p.name === 'profiles')!;

  it('follows the stream revision exactly', () => {
    expect(profile.everyEvent).toBe(true);
    expect(fold(profile, events)!.revision).toBe(3);
  });

  it('refuses an event beyond the next revision (a gap) rather than corrupt the document', () => {
    const doc = fold(profile, events.slice(0, 2));
    expect(() => project(profile, doc, events[3])).toThrow(RevisionGapError);
  });
});

describe('read models that only some events change', () => {
  it('are not rewritten by an event that changes nothing, and replaying that event changes nothing either', () => {
    const withOwner = stream([acquired({ ownerId: 'u-1' }), ownerAssigned('u-1'), ownerAssigned('u-2')]);
    for (const projection of READ_MODEL_PROJECTIONS.filter((p) => !p.everyEvent)) {
      const before = fold(projection, withOwner.slice(0, 1))!;
      expect(project(projection, before, withOwner[1])).toBe(before);
      const after = fold(projection, withOwner)!;
      expect(project(projection, after, withOwner[1])).toBe(after);
    }
  });
});
