import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuthContext } from '../../auth/auth-context.js';
import { ApiError } from '../errors/api-error.js';

/** The signed-in member of the request (set by the auth guard). */
export const CurrentAuth = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthContext => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (request.auth === undefined) throw new ApiError('UNAUTHENTICATED', 'Sign in to continue');
    return request.auth;
  },
);
