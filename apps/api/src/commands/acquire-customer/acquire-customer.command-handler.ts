import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v5 as uuidv5 } from 'uuid';
import type { CommandContext, CommandResult } from '../../write/command-context';
import { ContactNormalizer } from '../../write/contact-normalizer';
import { CustomerCommandPath } from '../../write/customer-command-path';
import type { AcquireCustomerRequest } from './acquire-customer.request.dto';

/** A generated id derives from the command id, so a retried acquisition names the same customer. */
const CUSTOMER_ID_NAMESPACE = '0d9b6c8e-52a4-4a57-b6a5-1f0c7e3d2b18';

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
    const id = customerId ?? uuidv5(context.commandId, CUSTOMER_ID_NAMESPACE);
    return this.path.run(context, 'AcquireCustomer', id, this.contacts.contacts(payload));
  }
}
