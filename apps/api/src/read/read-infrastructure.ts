import type { Provider } from '@nestjs/common';
import type { CrmConfig } from '@crm/config';
import { DEFAULT_SEGMENTATION_THRESHOLDS, type SegmentationThresholds } from '@crm/domain';
import {
  DOCUMENT_STORE,
  type DocumentStore,
  FollowUpsQuery,
  FunnelQuery,
  KpisQuery,
  ProfilesQuery,
  SegmentsQuery,
} from '@crm/read-models';
import { CLOCK, type Clock } from '@crm/platform';
import { Freshness } from './freshness';

const THRESHOLDS = Symbol('SEGMENTATION_THRESHOLDS');

/** The read-model queries the API answers from (stores and feeds come from the platform). */
export function readInfrastructure(config: CrmConfig): Provider[] {
  const thresholds: SegmentationThresholds = { ...DEFAULT_SEGMENTATION_THRESHOLDS, ...config.segmentation };
  const now = (clock: Clock) => () => clock.now();
  return [
    { provide: THRESHOLDS, useValue: thresholds },
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
