import { Controller, Get, Inject, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { FollowUpsQuery } from '@crm/read-models';
import { Roles } from '../../auth/roles.decorator';
import { CLOCK, type Clock } from '@crm/platform';
import { Freshness } from '../freshness';
import { AsOfReadRequest } from '../read-request';

class FollowUpsRequest extends AsOfReadRequest {
  @IsOptional() @IsString() @Length(1, 100) ownerId?: string;
  @IsOptional() @IsIn(['true', 'false']) overdue?: 'true' | 'false';
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

@Controller('v1/follow-ups')
@Roles('analyst')
export class FollowUpsController {
  constructor(
    private readonly followUps: FollowUpsQuery,
    private readonly freshness: Freshness,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async list(@Query() query: FollowUpsRequest) {
    const position = await this.freshness.atLeast(query.minPosition);
    const asOf = query.asOf ? new Date(query.asOf) : this.clock.now();
    const result = await this.followUps.pending({ ownerId: query.ownerId, overdueOnly: query.overdue === 'true', asOf, limit: query.limit ?? 100 });
    return { position, ...result };
  }
}
