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
  /**
   * True when every event changes the document, so its revision follows the stream exactly and
   * a missing event shows as a gap. Other read models keep the revision of the last event that
   * changed them, and are written only then.
   */
  everyEvent: boolean;
  /** Called for every event of the stream in order; returns `doc` itself when nothing changes. */
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
 * document's revision was applied before (a no-op). Replaying a later event that changed nothing
 * changes nothing again. Where every event changes the document, one beyond the next revision
 * means events are missing, and applying it would corrupt the document.
 */
export function project<D extends ProjectionDocument>(projection: Projection<D>, doc: D | null, event: ProjectedEvent): D {
  if (doc && event.revision <= doc.revision) return doc;
  const expected = doc ? doc.revision + 1 : 0;
  if ((projection.everyEvent || !doc) && event.revision !== expected) throw new RevisionGapError(event.customerId, expected, event.revision);
  const next = projection.evolve(doc, event) as D;
  if (next === doc) return doc;
  // evolve returned a fresh object: it is ours to stamp.
  const updated = next;
  updated._id = event.customerId;
  updated.revision = event.revision;
  updated.position = event.position;
  return updated;
}
