import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { v5 as uuidv5 } from 'uuid';
import type { CommandResult } from '../../write/command-context';
import { CustomerCommandMessage } from '../../write/customer-command.message';
import { CustomerCommandPath } from '../../write/customer-command-path';
import type { FileComplaintRequest } from './file-complaint.request.dto';

const COMPLAINT_ID_NAMESPACE = '4a0e5d27-9c1b-4f6e-8d3a-7b2c9e0f1a54';

export class FileComplaintCommand extends CustomerCommandMessage<FileComplaintRequest> {}

@CommandHandler(FileComplaintCommand)
export class FileComplaintHandler implements ICommandHandler<FileComplaintCommand, CommandResult & { complaintId: string }> {
  constructor(private readonly path: CustomerCommandPath) {}

  async execute({ context, customerId, body }: FileComplaintCommand): Promise<CommandResult & { complaintId: string }> {
    // `null` counts as absent, as @IsOptional lets it through.
    const { complaintId: given, ...rest } = body;
    const complaintId = given ?? uuidv5(context.commandId, COMPLAINT_ID_NAMESPACE);
    const result = await this.path.run(context, 'FileComplaint', customerId, { ...rest, complaintId });
    return { ...result, complaintId };
  }
}
