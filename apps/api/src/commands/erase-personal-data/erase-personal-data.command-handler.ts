import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandResult } from '../../write/command-context';
import { CustomerCommandMessage } from '../../write/customer-command.message';
import { CustomerCommandPath } from '../../write/customer-command-path';

export class ErasePersonalDataCommand extends CustomerCommandMessage<Record<string, never>> {}

/** Crypto-shredding: the path destroys the customer's key, then records PersonalDataErased. */
@CommandHandler(ErasePersonalDataCommand)
export class ErasePersonalDataHandler implements ICommandHandler<ErasePersonalDataCommand, CommandResult> {
  constructor(private readonly path: CustomerCommandPath) {}

  execute({ context, customerId }: ErasePersonalDataCommand): Promise<CommandResult> {
    return this.path.run(context, 'ErasePersonalData', customerId, {});
  }
}
