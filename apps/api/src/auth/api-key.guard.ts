import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiRole } from '@crm/config';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../http/api-error';
import { API_KEYS, type ApiKeys } from './api-keys';
import type { Principal } from './principal';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';

export type AuthenticatedRequest = FastifyRequest & { principal: Principal };

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEYS) private readonly keys: ApiKeys,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = this.keys.resolve(request.headers.authorization);
    if (!principal) throw new ApiError(401, 'UNAUTHORIZED', 'Send a valid API key as "Authorization: Bearer <key>"');
    const roles = this.reflector.getAllAndOverride<ApiRole[] | undefined>(ROLES_KEY, targets);
    if (roles && principal.role !== 'admin' && !roles.includes(principal.role)) {
      throw new ApiError(403, 'FORBIDDEN', `This needs the role ${roles.join(' or ')}; the key has ${principal.role}`);
    }
    request.principal = principal;
    return true;
  }
}
