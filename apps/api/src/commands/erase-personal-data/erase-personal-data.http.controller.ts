import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Roles } from '../../auth/roles.decorator';
import { Command } from '../../http/command-context.decorator';
import { CustomerIdParam } from '../../http/request-rules';
import type { CommandContext, CommandResult } from '../../write/command-context';
import { ErasePersonalDataCommand } from './erase-personal-data.command-handler';

@Controller('v1/customers')
@Roles('admin')
export class ErasePersonalDataController {
  constructor(private readonly commands: CommandBus) {}

  @Delete(':id/personal-data')
  @HttpCode(200)
  erase(@Param('id', CustomerIdParam) customerId: string, @Command() context: CommandContext): Promise<CommandResult> {
    return this.commands.execute(new ErasePersonalDataCommand(context, customerId, {}));
  }
}
