import { Body, Controller, HttpCode, Param, Patch } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Roles } from '../../auth/roles.decorator';
import { Command } from '../../http/command-context.decorator';
import { CustomerIdParam } from '../../http/request-rules';
import type { CommandContext, CommandResult } from '../../write/command-context';
import { UpdateProfileCommand } from './update-profile.command-handler';
import { UpdateProfileRequest } from './update-profile.request.dto';

@Controller('v1/customers')
@Roles('service')
export class UpdateProfileController {
  constructor(private readonly commands: CommandBus) {}

  @Patch(':id/profile')
  @HttpCode(200)
  update(
    @Param('id', CustomerIdParam) customerId: string,
    @Body() body: UpdateProfileRequest,
    @Command() context: CommandContext,
  ): Promise<CommandResult> {
    return this.commands.execute(new UpdateProfileCommand(context, customerId, body));
  }
}
