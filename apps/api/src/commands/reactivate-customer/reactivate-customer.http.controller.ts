import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Roles } from '../../auth/roles.decorator';
import { Command } from '../../http/command-context.decorator';
import { CustomerIdParam } from '../../http/request-rules';
import type { CommandContext, CommandResult } from '../../write/command-context';
import { ReactivateCustomerCommand } from './reactivate-customer.command-handler';
import { ReactivateCustomerRequest } from './reactivate-customer.request.dto';

@Controller('v1/customers')
@Roles('service')
export class ReactivateCustomerController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/reactivation')
  @HttpCode(200)
  reactivate(
    @Param('id', CustomerIdParam) customerId: string,
    @Body() body: ReactivateCustomerRequest,
    @Command() context: CommandContext,
  ): Promise<CommandResult> {
    return this.commands.execute(new ReactivateCustomerCommand(context, customerId, body));
  }
}
