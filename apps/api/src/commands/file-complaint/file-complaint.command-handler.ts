import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CommandResult } from '../../write/command-context';
import { CustomerCommandMessage } from '../../write/customer-command.message';
import { CustomerCommandPath } from '../../write/customer-command-path';
import type { FileComplaintRequest } from './file-complaint.request.dto';
import { derivedIds } from '../../write/derived-ids';

export class FileComplaintCommand extends CustomerCommandMessage<FileComplaintRequest> {}

@CommandHandler(FileComplaintCommand)
export class FileComplaintHandler implements ICommandHandler<FileComplaintCommand, CommandResult & { complaintId: string }> {
  constructor(private readonly path: CustomerCommandPath) {}

  async execute({ context, customerId, body }: FileComplaintCommand): Promise<CommandResult & { complaintId: string }> {
    // `null` counts as absent, as @IsOptional lets it through.
    const { complaintId: given, ...rest } = body;
    const complaintId = given ?? derivedIds.complaint(context.commandId);
    const result = await this.path.run(context, 'FileComplaint', customerId, { ...rest, complaintId });
    return { ...result, complaintId };
  }
}
