import { Body, Controller, HttpCode, Param, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Roles } from '../../auth/roles.decorator';
import { Command } from '../../http/command-context.decorator';
import { CustomerIdParam } from '../../http/request-rules';
import type { CommandContext, CommandResult } from '../../write/command-context';
import { AssignOwnerCommand } from './assign-owner.command-handler';
import { AssignOwnerRequest } from './assign-owner.request.dto';

@Controller('v1/customers')
@Roles('service')
export class AssignOwnerController {
  constructor(private readonly commands: CommandBus) {}

  @Put(':id/owner')
  @HttpCode(200)
  assign(
    @Param('id', CustomerIdParam) customerId: string,
    @Body() body: AssignOwnerRequest,
    @Command() context: CommandContext,
  ): Promise<CommandResult> {
    return this.commands.execute(new AssignOwnerCommand(context, customerId, body));
  }
}
