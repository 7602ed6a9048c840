import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandResult } from '../../write/command-context';
import { CustomerCommandMessage } from '../../write/customer-command.message';
import { CustomerCommandPath } from '../../write/customer-command-path';
import type { ChurnCustomerRequest } from './churn-customer.request.dto';

export class ChurnCustomerCommand extends CustomerCommandMessage<ChurnCustomerRequest> {}

@CommandHandler(ChurnCustomerCommand)
export class ChurnCustomerHandler implements ICommandHandler<ChurnCustomerCommand, CommandResult> {
  constructor(private readonly path: CustomerCommandPath) {}

  execute({ context, customerId, body }: ChurnCustomerCommand): Promise<CommandResult> {
    return this.path.run(context, 'ChurnCustomer', customerId, body);
  }
}
