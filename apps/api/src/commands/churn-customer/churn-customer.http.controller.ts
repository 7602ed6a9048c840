import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Roles } from '../../auth/roles.decorator';
import { Command } from '../../http/command-context.decorator';
import { CustomerIdParam } from '../../http/request-rules';
import type { CommandContext, CommandResult } from '../../write/command-context';
import { ChurnCustomerCommand } from './churn-customer.command-handler';
import { ChurnCustomerRequest } from './churn-customer.request.dto';

@Controller('v1/customers')
@Roles('service')
export class ChurnCustomerController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/churn')
  @HttpCode(200)
  churn(
    @Param('id', CustomerIdParam) customerId: string,
    @Body() body: ChurnCustomerRequest,
    @Command() context: CommandContext,
  ): Promise<CommandResult> {
    return this.commands.execute(new ChurnCustomerCommand(context, customerId, body));
  }
}
