import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandResult } from '../../write/command-context';
import { CustomerCommandMessage } from '../../write/customer-command.message';
import { CustomerCommandPath } from '../../write/customer-command-path';
import type { AssignOwnerRequest } from './assign-owner.request.dto';

export class AssignOwnerCommand extends CustomerCommandMessage<AssignOwnerRequest> {}

@CommandHandler(AssignOwnerCommand)
export class AssignOwnerHandler implements ICommandHandler<AssignOwnerCommand, CommandResult> {
  constructor(private readonly path: CustomerCommandPath) {}

  execute({ context, customerId, body }: AssignOwnerCommand): Promise<CommandResult> {
    return this.path.run(context, 'AssignOwner', customerId, body);
  }
}
