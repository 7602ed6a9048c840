import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Roles } from '../../auth/roles.decorator';
import { Command } from '../../http/command-context.decorator';
import { CustomerIdParam } from '../../http/request-rules';
import type { CommandContext, CommandResult } from '../../write/command-context';
import { FileComplaintCommand } from './file-complaint.command-handler';
import { FileComplaintRequest } from './file-complaint.request.dto';

@Controller('v1/customers')
@Roles('service')
export class FileComplaintController {
  constructor(private readonly commands: CommandBus) {}

  /** Replies with the complaintId too: it names the complaint to resolve later. */
  @Post(':id/complaints')
  @HttpCode(201)
  file(
    @Param('id', CustomerIdParam) customerId: string,
    @Body() body: FileComplaintRequest,
    @Command() context: CommandContext,
  ): Promise<CommandResult & { complaintId: string }> {
    return this.commands.execute(new FileComplaintCommand(context, customerId, body));
  }
}
