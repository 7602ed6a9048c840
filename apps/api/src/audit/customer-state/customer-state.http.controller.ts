import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { type CustomerDecider, presentCustomerState, toCustomerEvent } from '@crm/domain';
import { Roles } from '../../auth/roles.decorator';
import { ApiError } from '../../http/api-error';
import { CustomerIdParam } from '../../http/request-rules';
import { CUSTOMER_DECIDER } from '../../write/customer-aggregates';
import { AuditReader } from '../audit-reader';
import { CustomerStateQuery } from './customer-state.request.dto';

@Controller('v1/customers')
@Roles('auditor')
export class CustomerStateController {
  constructor(
    private readonly reader: AuditReader,
    @Inject(CUSTOMER_DECIDER) private readonly decider: CustomerDecider,
  ) {}

  /** The state folded from the events recorded up to `asOf`, or up to revision `atRevision`. */
  @Get(':id/state')
  async state(@Param('id', CustomerIdParam) customerId: string, @Query() query: CustomerStateQuery) {
    if (query.asOf !== undefined && query.atRevision !== undefined) {
      throw new ApiError(400, 'VALIDATION_FAILED', 'The request is invalid', {
        fields: [{ field: 'asOf', errors: ['give asOf or atRevision, not both'] }],
      });
    }
    const all = await this.reader.stream(customerId);
    if (all.length === 0) throw new ApiError(404, 'CUSTOMER_NOT_FOUND', `Customer ${customerId} does not exist`);
    const asOf = query.asOf === undefined ? undefined : new Date(query.asOf).toISOString();
    const events = all.filter(
      (e) =>
        (query.atRevision === undefined || e.revision <= query.atRevision) &&
        (asOf === undefined || String(e.metadata.recordedAt) <= asOf),
    );
    const state = events.map(toCustomerEvent).reduce(this.decider.evolve, this.decider.initialState());
    const last = events[events.length - 1];
    return {
      customerId,
      revision: last?.revision ?? -1,
      position: last?.position ?? 0,
      ...(asOf !== undefined && { asOf }),
      ...(query.atRevision !== undefined && { atRevision: query.atRevision }),
      state: presentCustomerState(state),
    };
  }
}
