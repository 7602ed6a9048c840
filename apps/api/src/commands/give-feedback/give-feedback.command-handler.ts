import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandResult } from '../../write/command-context';
import { CustomerCommandMessage } from '../../write/customer-command.message';
import { CustomerCommandPath } from '../../write/customer-command-path';
import type { GiveFeedbackRequest } from './give-feedback.request.dto';

export class GiveFeedbackCommand extends CustomerCommandMessage<GiveFeedbackRequest> {}

@CommandHandler(GiveFeedbackCommand)
export class GiveFeedbackHandler implements ICommandHandler<GiveFeedbackCommand, CommandResult> {
  constructor(private readonly path: CustomerCommandPath) {}

  execute({ context, customerId, body }: GiveFeedbackCommand): Promise<CommandResult> {
    return this.path.run(context, 'GiveFeedback', customerId, body);
  }
}
