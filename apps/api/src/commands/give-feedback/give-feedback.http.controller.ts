import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Roles } from '../../auth/roles.decorator';
import { Command } from '../../http/command-context.decorator';
import { CustomerIdParam } from '../../http/request-rules';
import type { CommandContext, CommandResult } from '../../write/command-context';
import { GiveFeedbackCommand } from './give-feedback.command-handler';
import { GiveFeedbackRequest } from './give-feedback.request.dto';

@Controller('v1/customers')
@Roles('service')
export class GiveFeedbackController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/feedback')
  @HttpCode(200)
  give(
    @Param('id', CustomerIdParam) customerId: string,
    @Body() body: GiveFeedbackRequest,
    @Command() context: CommandContext,
  ): Promise<CommandResult> {
    return this.commands.execute(new GiveFeedbackCommand(context, customerId, body));
  }
}
