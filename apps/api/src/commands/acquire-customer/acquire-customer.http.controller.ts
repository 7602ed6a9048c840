import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Roles } from '../../auth/roles.decorator';
import { Command } from '../../http/command-context.decorator';
import type { CommandContext, CommandResult } from '../../write/command-context';
import { AcquireCustomerCommand } from './acquire-customer.command-handler';
import { AcquireCustomerRequest } from './acquire-customer.request.dto';

@Controller('v1/customers')
@Roles('service')
export class AcquireCustomerController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  acquire(@Body() body: AcquireCustomerRequest, @Command() context: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new AcquireCustomerCommand(context, body));
  }
}
