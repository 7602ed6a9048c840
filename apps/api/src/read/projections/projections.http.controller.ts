import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { READ_MODEL_PROJECTIONS, READ_SIDE, type ReadModels, RebuildConflictError } from '@crm/read-models';
import { Roles } from '../../auth/roles.decorator';
import { ApiError } from '../../http/api-error';

const NAMES = READ_MODEL_PROJECTIONS.map((p) => p.name);

@Controller('v1/projections')
export class ProjectionsController {
  constructor(@Inject(READ_SIDE) private readonly readSide: ReadModels) {}

  /** Any role: position, lag in events and seconds, status and parked customers of each read model. */
  @Get()
  async status() {
    return { projections: await this.readSide.status() };
  }

  /** Builds a new version beside the live one, then switches; `all` rebuilds every read model. */
  @Post(':name/rebuild')
  @Roles('admin')
  @HttpCode(202)
  async rebuild(@Param('name') name: string) {
    if (name !== 'all' && !NAMES.includes(name)) {
      throw new ApiError(404, 'PROJECTION_NOT_FOUND', `No projection ${name}; known: ${NAMES.join(', ')}, or all`);
    }
    try {
      return { rebuild: await this.readSide.startRebuild(name === 'all' ? NAMES : [name]) };
    } catch (error) {
      if (error instanceof RebuildConflictError) throw new ApiError(409, 'REBUILD_IN_PROGRESS', error.message);
      throw error;
    }
  }
}
