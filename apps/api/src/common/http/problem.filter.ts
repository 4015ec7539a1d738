import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../errors/problem.js';

/** Every error leaves the API as application/problem+json. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendProblem(request, reply, exception);
  }
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  exception: unknown,
): void {
  const { problem, internal } = toProblem(exception, String(request.id));
  if (internal) request.log.error({ err: exception }, 'unhandled error');
  if (reply.sent) return;
  void reply
    .status(problem.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem));
}
