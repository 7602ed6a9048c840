import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandResult } from '../../write/command-context';
import { ContactNormalizer } from '../../write/contact-normalizer';
import { CustomerCommandMessage } from '../../write/customer-command.message';
import { CustomerCommandPath } from '../../write/customer-command-path';
import type { UpdateProfileRequest } from './update-profile.request.dto';

export class UpdateProfileCommand extends CustomerCommandMessage<UpdateProfileRequest> {}

@CommandHandler(UpdateProfileCommand)
export class UpdateProfileHandler implements ICommandHandler<UpdateProfileCommand, CommandResult> {
  constructor(
    private readonly path: CustomerCommandPath,
    private readonly contacts: ContactNormalizer,
  ) {}

  execute({ context, customerId, body }: UpdateProfileCommand): Promise<CommandResult> {
    return this.path.run(context, 'UpdateProfile', customerId, this.contacts.contacts(body));
  }
}
