import { Inject, Controller, Get, Query } from '@nestjs/common';
import { KpisQuery } from '@crm/read-models';
import { Roles } from '../../auth/roles.decorator';
import { CLOCK, type Clock } from '@crm/platform';
import { Freshness } from '../freshness';
import { AsOfReadRequest } from '../read-request';

class KpisRequest extends AsOfReadRequest {}

@Controller('v1/kpis')
@Roles('analyst')
export class KpisController {
  constructor(
    private readonly kpis: KpisQuery,
    private readonly freshness: Freshness,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async get(@Query() query: KpisRequest) {
    const position = await this.freshness.atLeast(query.minPosition);
    const asOf = query.asOf ? new Date(query.asOf) : this.clock.now();
    return { asOf: asOf.toISOString(), position, ...(await this.kpis.at(asOf)) };
  }
}
