import { Controller, Get, Param, Query } from '@nestjs/common';
import { Roles } from '../../auth/roles.decorator';
import { ApiError } from '../../http/api-error';
import { CustomerIdParam } from '../../http/request-rules';
import { type AuditedEvent, AuditReader } from '../audit-reader';
import { CustomerHistoryQuery } from './customer-history.request.dto';

@Controller('v1/customers')
@Roles('auditor')
export class CustomerHistoryController {
  constructor(private readonly reader: AuditReader) {}

  @Get(':id/history')
  async history(@Param('id', CustomerIdParam) customerId: string, @Query() query: CustomerHistoryQuery) {
    const { fromRevision = 0, limit = 100 } = query;
    const events: AuditedEvent[] = await this.reader.stream(customerId, fromRevision, limit);
    if (events.length === 0 && !(await this.reader.exists(customerId))) {
      throw new ApiError(404, 'CUSTOMER_NOT_FOUND', `Customer ${customerId} does not exist`);
    }
    const nextRevision = events.length === limit ? events[events.length - 1].revision + 1 : null;
    return { customerId, events, nextRevision };
  }
}
