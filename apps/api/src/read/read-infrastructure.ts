import type { Provider } from '@nestjs/common';
import { join } from 'node:path';
import type { CrmConfig } from '@crm/config';
import { DEFAULT_SEGMENTATION_THRESHOLDS, type SegmentationThresholds } from '@crm/domain';
import { EVENT_STORE, type EventStore } from '@crm/event-store';
import {
  DOCUMENT_STORE,
  type DocumentStore,
  EmbeddedDocumentStore,
  FollowUpsQuery,
  FunnelQuery,
  KpisQuery,
  ProfilesQuery,
  READ_POSITION,
  READ_SIDE,
  ReadSide,
  SegmentsQuery,
} from '@crm/read-models';
import { CLOCK, type Clock } from '../write/clock';
import { Freshness } from './freshness';

const THRESHOLDS = Symbol('SEGMENTATION_THRESHOLDS');

/** The read side of the embedded default: read models in their own SQLite file, projected in this process. */
export function readInfrastructure(config: CrmConfig): Provider[] {
  const thresholds: SegmentationThresholds = { ...DEFAULT_SEGMENTATION_THRESHOLDS, ...config.segmentation };
  const now = (clock: Clock) => () => clock.now();
  return [
    { provide: THRESHOLDS, useValue: thresholds },
    { provide: DOCUMENT_STORE, useFactory: () => new EmbeddedDocumentStore(join(config.dataDir, 'read-models.db')) },
    {
      provide: READ_SIDE,
      useFactory: (events: EventStore, docs: DocumentStore, clock: Clock) => new ReadSide(events, docs, now(clock)),
      inject: [EVENT_STORE, DOCUMENT_STORE, CLOCK],
    },
    { provide: READ_POSITION, useExisting: READ_SIDE },
    {
      provide: SegmentsQuery,
      useFactory: (docs: DocumentStore, clock: Clock) => new SegmentsQuery(docs, thresholds, now(clock)),
      inject: [DOCUMENT_STORE, CLOCK],
    },
    {
      provide: ProfilesQuery,
      useFactory: (docs: DocumentStore, segments: SegmentsQuery, clock: Clock) => new ProfilesQuery(docs, segments, thresholds, now(clock)),
      inject: [DOCUMENT_STORE, SegmentsQuery, CLOCK],
    },
    { provide: FunnelQuery, useFactory: (docs: DocumentStore) => new FunnelQuery(docs), inject: [DOCUMENT_STORE] },
    {
      provide: KpisQuery,
      useFactory: (docs: DocumentStore) => new KpisQuery(docs, { windowDays: thresholds.windowDays, activeDays: 90 }),
      inject: [DOCUMENT_STORE],
    },
    { provide: FollowUpsQuery, useFactory: (docs: DocumentStore) => new FollowUpsQuery(docs), inject: [DOCUMENT_STORE] },
    Freshness,
  ];
}
