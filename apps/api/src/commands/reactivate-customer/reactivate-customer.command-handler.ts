import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandResult } from '../../write/command-context';
import { CustomerCommandMessage } from '../../write/customer-command.message';
import { CustomerCommandPath } from '../../write/customer-command-path';
import type { ReactivateCustomerRequest } from './reactivate-customer.request.dto';

export class ReactivateCustomerCommand extends CustomerCommandMessage<ReactivateCustomerRequest> {}

@CommandHandler(ReactivateCustomerCommand)
export class ReactivateCustomerHandler implements ICommandHandler<ReactivateCustomerCommand, CommandResult> {
  constructor(private readonly path: CustomerCommandPath) {}

  execute({ context, customerId, body }: ReactivateCustomerCommand): Promise<CommandResult> {
    return this.path.run(context, 'ReactivateCustomer', customerId, body);
  }
}
