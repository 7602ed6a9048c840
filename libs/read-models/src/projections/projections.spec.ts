import { READ_MODEL_PROJECTIONS } from './read-model-projections';
import { project, RevisionGapError } from './projection';
import { acquired, contacted, fold, purchased, stream } from './projection.fixtures';

describe.each(READ_MODEL_PROJECTIONS.map((p) => [p.name, p] as const))('the %s projection', (_, projection) => {
  const events = stream([acquired(), contacted(), purchased('o-1', 500), purchased('o-2', 700)]);

  it('stamps each document with the revision and position of the last event applied', () => {
    const doc = fold(projection, events)!;
    expect(doc._id).toBe(events[0].customerId);
    expect(doc.revision).toBe(3);
    expect(doc.position).toBe(events[3].position);
  });

  it('treats an event applied before as a no-op, so replaying a stream twice changes nothing', () => {
    const once = fold(projection, events);
    const twice = fold(projection, events, once);
    expect(twice).toBe(once);
    expect(project(projection, once, events[1])).toBe(once);
  });

  it('refuses an event beyond the next revision (a gap) rather than corrupt the document', () => {
    const doc = fold(projection, events.slice(0, 2));
    expect(() => project(projection, doc, events[3])).toThrow(RevisionGapError);
    expect(() => project(projection, null, events[1])).toThrow(RevisionGapError);
  });
});
