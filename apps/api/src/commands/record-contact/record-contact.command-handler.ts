import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandResult } from '../../write/command-context';
import { CustomerCommandMessage } from '../../write/customer-command.message';
import { CustomerCommandPath } from '../../write/customer-command-path';
import type { RecordContactRequest } from './record-contact.request.dto';

export class RecordContactCommand extends CustomerCommandMessage<RecordContactRequest> {}

@CommandHandler(RecordContactCommand)
export class RecordContactHandler implements ICommandHandler<RecordContactCommand, CommandResult> {
  constructor(private readonly path: CustomerCommandPath) {}

  execute({ context, customerId, body }: RecordContactCommand): Promise<CommandResult> {
    return this.path.run(context, 'RecordContact', customerId, body);
  }
}
