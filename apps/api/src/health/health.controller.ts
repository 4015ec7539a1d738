import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { Public } from '../common/auth/public.decorator.js';
import { APP_CONFIG, QUEUE_RUNTIME } from '../common/tokens.js';
import type { QueueRuntime } from '../queue/queue-runtime.js';
import { HealthResponse } from './dto/health.response.js';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(QUEUE_RUNTIME) private readonly queue: QueueRuntime,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get()
  @ApiOkResponse({ description: 'Everything is up', standardSchema: HealthResponse })
  @ApiServiceUnavailableResponse({
    description: 'A dependency is down',
    standardSchema: HealthResponse,
  })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthResponse> {
    const [database, queue] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1')),
      probe(() => this.queue.ping()),
    ]);
    const ok = database.status === 'up' && queue.status === 'up';
    void reply.status(ok ? 200 : 503);
    return {
      status: ok ? 'ok' : 'degraded',
      database: {
        ...database,
        kind: this.config.database.kind === 'embedded' ? 'embedded' : 'postgres',
      },
      queue: { ...queue, kind: this.queue.kind },
    };
  }
}

async function probe(
  check: () => Promise<unknown>,
): Promise<{ status: 'up' | 'down'; latencyMs: number; error?: string }> {
  const started = performance.now();
  try {
    await withTimeout(check(), 3000);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'down',
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
