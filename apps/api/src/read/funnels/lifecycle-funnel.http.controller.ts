import { Controller, Get, Query } from '@nestjs/common';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { ACQUISITION_CHANNELS } from '@crm/domain';
import { FunnelQuery } from '@crm/read-models';
import { Roles } from '../../auth/roles.decorator';
import { ApiError } from '../../http/api-error';
import { Freshness } from '../freshness';
import { ReadRequest } from '../read-request';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

class LifecycleFunnelRequest extends ReadRequest {
  @IsOptional() @Matches(MONTH, { message: 'from must be a month, YYYY-MM' }) from?: string;
  @IsOptional() @Matches(MONTH, { message: 'to must be a month, YYYY-MM' }) to?: string;
  @IsOptional() @IsIn(ACQUISITION_CHANNELS) channel?: string;
}

@Controller('v1/funnels')
@Roles('analyst')
export class LifecycleFunnelController {
  constructor(
    private readonly funnel: FunnelQuery,
    private readonly freshness: Freshness,
  ) {}

  @Get('lifecycle')
  async lifecycle(@Query() query: LifecycleFunnelRequest) {
    if (query.from && query.to && query.from > query.to) {
      throw new ApiError(400, 'VALIDATION_FAILED', 'The request is invalid', { fields: [{ field: 'from', errors: ['from must not be after to'] }] });
    }
    const position = await this.freshness.atLeast(query.minPosition);
    const cohorts = await this.funnel.cohorts(query);
    return { position, from: query.from ?? cohorts[0]?.month ?? null, to: query.to ?? cohorts.at(-1)?.month ?? null, channel: query.channel ?? null, cohorts };
  }
}
