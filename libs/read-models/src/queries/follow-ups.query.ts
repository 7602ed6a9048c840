import type { DocumentStore, Filter } from '../document-store/document-store.port';
import { type FollowUpDocument, followUpProjection } from '../projections/follow-up.projection';

export interface FollowUpView {
  customerId: string;
  ownerId: string | null;
  dueAt: string;
  overdue: boolean;
  lastContactAt: string | null;
  lastOutcome: string | null;
}

/** Pending follow-ups of live customers, soonest first, with the overdue ones counted per owner. */
export class FollowUpsQuery {
  constructor(private readonly store: DocumentStore) {}

  async pending(query: { ownerId?: string; overdueOnly: boolean; asOf: Date; limit: number }) {
    const asOf = query.asOf.toISOString();
    const filter: Filter = { live: true, dueAt: query.overdueOnly ? { $ne: null, $lt: asOf } : { $ne: null } };
    if (query.ownerId !== undefined) filter.ownerId = query.ownerId;
    const docs = await this.store.find<FollowUpDocument>(followUpProjection.collection, filter, { sort: { dueAt: 1, _id: 1 } });
    const overdueByOwner: Record<string, number> = {};
    for (const d of docs) {
      if (d.dueAt! < asOf) overdueByOwner[d.ownerId ?? 'unassigned'] = (overdueByOwner[d.ownerId ?? 'unassigned'] ?? 0) + 1;
    }
    const items: FollowUpView[] = docs.slice(0, query.limit).map((d) => ({
      customerId: d._id,
      ownerId: d.ownerId,
      dueAt: d.dueAt!,
      overdue: d.dueAt! < asOf,
      lastContactAt: d.lastContactAt,
      lastOutcome: d.lastOutcome,
    }));
    return { asOf, total: docs.length, overdueByOwner, items };
  }
}
