import { Controller, Get, Query } from '@nestjs/common';
import { ProfilesQuery } from '@crm/read-models';
import { Roles } from '../../auth/roles.decorator';
import { Freshness } from '../freshness';
import { ListProfilesRequest } from './list-profiles.request.dto';

@Controller('v1/profiles')
@Roles('analyst')
export class ListProfilesController {
  constructor(
    private readonly profiles: ProfilesQuery,
    private readonly freshness: Freshness,
  ) {}

  /** Segment filters (tier, loyalty, rfmSegment, riskLevel) are as of now. */
  @Get()
  async list(@Query() query: ListProfilesRequest) {
    const position = await this.freshness.atLeast(query.minPosition);
    const { limit = 50, cursor, minPosition: _, ...filters } = query;
    return { position, ...(await this.profiles.list(filters, limit, cursor, position)) };
  }
}
