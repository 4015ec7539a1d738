import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type ApiResponseOptions, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { AppModule, type AppRuntime } from './app.module.js';
import { ApiError } from './common/errors/api-error.js';
import { sendProblem } from './common/http/problem.filter.js';
import { createValidationPipe } from './common/http/validation.js';
import { PinoNestLogger } from './common/logging/logger.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Content-Security-Policy for everything we serve: no inline or remote
 * scripts, no plugins, no framing. Inline style attributes stay allowed
 * because echarts and React set element styles.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail', 'errors'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' },
    detail: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'code', 'message'],
        properties: {
          path: { type: 'string' },
          code: { type: 'string' },
          message: { type: 'string' },
        },
      },
    },
  },
} as const;

/** Every route may answer these, always as application/problem+json. */
const PROBLEM_RESPONSES = (
  [
    [400, 'Invalid input; every problem located in errors[].path'],
    [401, 'Not signed in, or the session is no longer valid'],
    [403, 'Not allowed for this role (including fields the role cannot read)'],
    [404, 'Not found in this workspace'],
    [409, 'Conflict: a stale version, a unique value taken, or a refused stage change'],
    [413, 'Request too large'],
    [415, 'Unsupported content type'],
    [428, 'The edited version is required (If-Match or "version")'],
    [429, 'Too many requests'],
    [431, 'The request line or headers are too large'],
    [503, 'A dependency (database, queue) is unavailable, or the query took too long'],
  ] as const
).map(([status, description]): ApiResponseOptions => ({
  status,
  description,
  content: {
    'application/problem+json': {
      schema: PROBLEM_SCHEMA as unknown as Extract<
        ApiResponseOptions,
        { schema: unknown }
      >['schema'],
    },
  },
}));

/** The path ("values.name", "items.2") of the first key or string holding U+0000, or null. */
function findNul(value: unknown, path: string[] = []): string | null {
  if (typeof value === 'string')
    return value.includes('\u0000') ? path.join('.') || '(body)' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = findNul(value[i], [...path, String(i)]);
      if (found !== null) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return [...path, key.replaceAll('\u0000', '\\0')].join('.');
      const found = findNul(item, [...path, key]);
      if (found !== null) return found;
    }
  }
  return null;
}

/** Builds the Nest application (not yet listening). Used by the server, the worker's health and tests. */
export async function createHttpApp(runtime: AppRuntime): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    loggerInstance: runtime.logger,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    logController: new LogController({
      requestIdLogLabel: 'requestId',
      disableRequestLogging: runtime.config.env === 'test',
    }),
    bodyLimit: 2 * 1024 * 1024,
    // requests Node's parser refuses (oversized headers or URL, malformed HTTP) still get problem+json
    clientErrorHandler: (error: Error & { code?: string }, socket: Duplex) => {
      const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
      const title =
        status === 431 ? 'The request line or headers are too large' : 'The request is malformed';
      const body = JSON.stringify({
        type: `https://trellis.dev/problems/${status === 431 ? 'headers-too-large' : 'bad-request'}`,
        title,
        status,
        code: status === 431 ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST',
        detail: title,
        errors: [],
      });
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      } else socket.destroy();
    },
    // Errors of the router itself, before any route runs: a path segment longer
    // than any id (it cannot name anything, so 404) or a malformed escape (400).
    frameworkErrors: (
      error: Error & { code?: string },
      request: FastifyRequest,
      reply: FastifyReply,
    ) =>
      sendProblem(
        request,
        reply,
        error.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? new ApiError('NOT_FOUND', 'No such address')
          : new ApiError('BAD_REQUEST', 'The address is not valid'),
      ),
    trustProxy: true,
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRuntime(runtime),
    adapter,
    {
      logger: new PinoNestLogger(runtime.logger.child({ component: 'nest' })),
      abortOnError: false,
      // our own JSON parser is registered below (Nest's refuses an empty body)
      bodyParser: false,
    },
  );
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  // JSON bodies: the default parser (which refuses __proto__ and constructor.prototype keys),
  // except that an empty body is simply no body (clients POST actions with a JSON content type).
  const json = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || body === undefined) return done(null, undefined);
    json(request, typeof body === 'string' ? body : body.toString('utf8'), (error, value) => {
      if (error !== null) return done(error, undefined);
      // PostgreSQL cannot store NUL in text: refuse it here, saying where it is.
      const at = findNul(value);
      if (at !== null)
        return done(
          new ApiError('BAD_REQUEST', 'Text may not contain the NUL character', [
            { path: at, code: 'NUL_CHARACTER', message: 'Text may not contain the NUL character' },
          ]),
          undefined,
        );
      done(null, value);
    });
  });
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', String(request.id));
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('referrer-policy', 'no-referrer');
    void reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Trellis API')
      .setDescription('Metadata, records, flows, rules and reports of Trellis apps.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .addGlobalResponse(...PROBLEM_RESPONSES)
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  await registerDesigner(app, fastify, runtime.config.designerDist);
  await app.init();
  return app;
}

/** Serves the built designer with a single-page-app fallback; unknown /api paths stay problem+json 404s. */
async function registerDesigner(
  app: NestFastifyApplication,
  fastify: FastifyInstance,
  dist: string | null,
): Promise<void> {
  const indexFile = dist === null ? null : join(dist, 'index.html');
  if (dist === null || indexFile === null || !existsSync(indexFile)) return;
  await app.register(fastifyStatic, { root: dist, wildcard: false, index: false, prefix: '/' });
  const index = await readFile(indexFile, 'utf8');
  const sendIndex = (request: FastifyRequest, reply: FastifyReply) => {
    if (request.url === '/api' || request.url.startsWith('/api/')) {
      return sendProblem(
        request,
        reply,
        new ApiError('NOT_FOUND', `No route for GET ${request.url.split('?')[0]}`),
      );
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  };
  fastify.get('/', sendIndex);
  fastify.get('/*', sendIndex);
}
