import { computeKpis, type KpiWindows, type Kpis } from '@crm/domain';
import type { DocumentStore } from '../document-store/document-store.port';
import { type TimelineDocument, timelineProjection } from '../projections/timeline.projection';

export class KpisQuery {
  constructor(
    private readonly store: DocumentStore,
    private readonly windows: KpiWindows,
  ) {}

  async at(asOf: Date): Promise<Kpis> {
    const timelines = await this.store.find<TimelineDocument>(timelineProjection.collection, {});
    return computeKpis(timelines, asOf.getTime(), this.windows);
  }
}
