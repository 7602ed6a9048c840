import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext, CommandResult } from '../../write/command-context';
import { ContactNormalizer } from '../../write/contact-normalizer';
import { CustomerCommandPath } from '../../write/customer-command-path';
import type { AcquireCustomerRequest } from './acquire-customer.request.dto';
import { derivedIds } from '../../write/derived-ids';

export class AcquireCustomerCommand {
  constructor(
    readonly context: CommandContext,
    readonly body: AcquireCustomerRequest,
  ) {}
}

@CommandHandler(AcquireCustomerCommand)
export class AcquireCustomerHandler implements ICommandHandler<AcquireCustomerCommand, CommandResult> {
  constructor(
    private readonly path: CustomerCommandPath,
    private readonly contacts: ContactNormalizer,
  ) {}

  execute({ context, body }: AcquireCustomerCommand): Promise<CommandResult> {
    // `null` counts as absent, as @IsOptional lets it through.
    const { customerId, ...payload } = body;
    const id = customerId ?? derivedIds.customer(context.commandId);
    return this.path.run(context, 'AcquireCustomer', id, this.contacts.contacts(payload));
  }
}
