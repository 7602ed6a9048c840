import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandResult } from '../../write/command-context';
import { CustomerCommandMessage } from '../../write/customer-command.message';
import { CustomerCommandPath } from '../../write/customer-command-path';
import type { RecordPurchaseRequest } from './record-purchase.request.dto';

export class RecordPurchaseCommand extends CustomerCommandMessage<RecordPurchaseRequest> {}

@CommandHandler(RecordPurchaseCommand)
export class RecordPurchaseHandler implements ICommandHandler<RecordPurchaseCommand, CommandResult> {
  constructor(private readonly path: CustomerCommandPath) {}

  execute({ context, customerId, body }: RecordPurchaseCommand): Promise<CommandResult> {
    return this.path.run(context, 'RecordPurchase', customerId, body);
  }
}
