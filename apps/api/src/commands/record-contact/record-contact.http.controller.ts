import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Roles } from '../../auth/roles.decorator';
import { Command } from '../../http/command-context.decorator';
import { CustomerIdParam } from '../../http/request-rules';
import type { CommandContext, CommandResult } from '../../write/command-context';
import { RecordContactCommand } from './record-contact.command-handler';
import { RecordContactRequest } from './record-contact.request.dto';

@Controller('v1/customers')
@Roles('service')
export class RecordContactController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/contacts')
  @HttpCode(200)
  record(
    @Param('id', CustomerIdParam) customerId: string,
    @Body() body: RecordContactRequest,
    @Command() context: CommandContext,
  ): Promise<CommandResult> {
    return this.commands.execute(new RecordContactCommand(context, customerId, body));
  }
}
