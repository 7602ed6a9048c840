import { Controller, Get, Param, Query } from '@nestjs/common';
import { ProfilesQuery } from '@crm/read-models';
import { Roles } from '../../auth/roles.decorator';
import { ApiError } from '../../http/api-error';
import { CustomerIdParam } from '../../http/request-rules';
import { Freshness } from '../freshness';
import { ReadRequest } from '../read-request';

class GetProfileRequest extends ReadRequest {}

@Controller('v1/profiles')
@Roles('analyst')
export class GetProfileController {
  constructor(
    private readonly profiles: ProfilesQuery,
    private readonly freshness: Freshness,
  ) {}

  @Get(':id')
  async get(@Param('id', CustomerIdParam) customerId: string, @Query() query: GetProfileRequest) {
    const position = await this.freshness.atLeast(query.minPosition, customerId);
    const profile = await this.profiles.one(customerId);
    if (!profile) throw new ApiError(404, 'CUSTOMER_NOT_FOUND', `No profile for customer ${customerId} (at position ${position})`);
    return { ...profile, position };
  }
}
