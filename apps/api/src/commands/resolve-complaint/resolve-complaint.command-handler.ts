import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandContext, CommandResult } from '../../write/command-context';
import { CustomerCommandPath } from '../../write/customer-command-path';
import type { ResolveComplaintRequest } from './resolve-complaint.request.dto';

export class ResolveComplaintCommand {
  constructor(
    readonly context: CommandContext,
    readonly customerId: string,
    readonly complaintId: string,
    readonly body: ResolveComplaintRequest,
  ) {}
}

@CommandHandler(ResolveComplaintCommand)
export class ResolveComplaintHandler implements ICommandHandler<ResolveComplaintCommand, CommandResult> {
  constructor(private readonly path: CustomerCommandPath) {}

  execute({ context, customerId, complaintId, body }: ResolveComplaintCommand): Promise<CommandResult> {
    return this.path.run(context, 'ResolveComplaint', customerId, { ...body, complaintId });
  }
}
