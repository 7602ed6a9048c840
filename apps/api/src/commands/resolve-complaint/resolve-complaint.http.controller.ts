import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Roles } from '../../auth/roles.decorator';
import { Command } from '../../http/command-context.decorator';
import { CustomerIdParam } from '../../http/request-rules';
import type { CommandContext, CommandResult } from '../../write/command-context';
import { ResolveComplaintCommand } from './resolve-complaint.command-handler';
import { ResolveComplaintRequest } from './resolve-complaint.request.dto';

@Controller('v1/customers')
@Roles('service')
export class ResolveComplaintController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/complaints/:complaintId/resolution')
  @HttpCode(200)
  resolve(
    @Param('id', CustomerIdParam) customerId: string,
    @Param('complaintId') complaintId: string,
    @Body() body: ResolveComplaintRequest,
    @Command() context: CommandContext,
  ): Promise<CommandResult> {
    return this.commands.execute(new ResolveComplaintCommand(context, customerId, complaintId, body));
  }
}
