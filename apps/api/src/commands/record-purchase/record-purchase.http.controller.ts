import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Roles } from '../../auth/roles.decorator';
import { Command } from '../../http/command-context.decorator';
import { CustomerIdParam } from '../../http/request-rules';
import type { CommandContext, CommandResult } from '../../write/command-context';
import { RecordPurchaseCommand } from './record-purchase.command-handler';
import { RecordPurchaseRequest } from './record-purchase.request.dto';

@Controller('v1/customers')
@Roles('service')
export class RecordPurchaseController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/purchases')
  @HttpCode(200)
  record(
    @Param('id', CustomerIdParam) customerId: string,
    @Body() body: RecordPurchaseRequest,
    @Command() context: CommandContext,
  ): Promise<CommandResult> {
    return this.commands.execute(new RecordPurchaseCommand(context, customerId, body));
  }
}
