import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { toApiError } from './api-error';

@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const error = toApiError(exception);
    if (error.status === 500) {
      // Names and stacks only: messages of foreign errors could carry request data.
      const e = exception as Error;
      this.logger.error(`${e?.name ?? 'Error'} ${error.code}`, e?.stack?.split('\n').slice(1).join('\n'));
    } else if (error.status > 500) {
      // An answer the API chose (read model behind, a server unreachable): worth a line, not a stack.
      this.logger.warn(`${error.status} ${error.code}`);
    }
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(error.status).header('content-type', 'application/json; charset=utf-8').send(error.toBody());
  }
}
