import { Controller, Get, Query } from '@nestjs/common';
import { SegmentsQuery } from '@crm/read-models';
import { Roles } from '../../auth/roles.decorator';
import { Freshness } from '../freshness';
import { AsOfReadRequest } from '../read-request';

class SegmentCountsRequest extends AsOfReadRequest {}

@Controller('v1/segments')
@Roles('analyst')
export class SegmentCountsController {
  constructor(
    private readonly segments: SegmentsQuery,
    private readonly freshness: Freshness,
  ) {}

  @Get()
  async counts(@Query() query: SegmentCountsRequest) {
    const position = await this.freshness.atLeast(query.minPosition);
    const snapshot = await this.segments.snapshot(query.asOf ? new Date(query.asOf) : undefined, position, query.minPosition);
    return { asOf: snapshot.asOf, position: snapshot.position, ...snapshot.counts };
  }
}
