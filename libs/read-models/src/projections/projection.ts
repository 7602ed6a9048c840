import type { Document } from '../document-store/document-store.port';
import type { ProjectedEvent } from './projected-event';

export interface ProjectionDocument extends Document {
  /** Global position of the last event applied to this document. */
  position: number;
}

/** A read model: a pure fold of one customer's events into one document. */
export interface Projection<D extends ProjectionDocument = ProjectionDocument> {
  /** Public name (GET /v1/projections, rebuilds). */
  name: string;
  collection: string;
  /** Called for every event of the stream in order; revision and position are set by `project`. */
  evolve(doc: D | null, event: ProjectedEvent): Omit<D, 'revision' | 'position'>;
}

export class RevisionGapError extends Error {
  constructor(
    readonly customerId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`Customer ${customerId}: expected revision ${expected}, got ${actual}`);
    this.name = 'RevisionGapError';
  }
}

/**
 * Applies one event under the revision rule every projection shares: an event at or below the
 * document's revision was applied before (a no-op); one beyond the next revision means events
 * are missing, and applying it would corrupt the document.
 */
export function project<D extends ProjectionDocument>(projection: Projection<D>, doc: D | null, event: ProjectedEvent): D {
  if (doc && event.revision <= doc.revision) return doc;
  const expected = doc ? doc.revision + 1 : 0;
  if (event.revision !== expected) throw new RevisionGapError(event.customerId, expected, event.revision);
  return { ...projection.evolve(doc, event), _id: event.customerId, revision: event.revision, position: event.position } as D;
}
