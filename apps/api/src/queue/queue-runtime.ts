import {
  createPostgresBackend,
  Queue,
  type QueueOptions,
  runMigrations as runQueueMigrations,
  withBackend,
  Worker,
  type Processor,
  type WorkerOptions,
} from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';

export type QueueBackendKind = 'redis' | 'postgres';

export type QueueRuntimeOptions =
  | { readonly kind: 'redis'; readonly url: string; readonly prefix?: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };

type WorkerSettings = Omit<WorkerOptions, 'connection' | 'prefix'>;
type QueueSettings = Omit<QueueOptions, 'connection' | 'prefix'>;

/**
 * BullMQ bound to one backend: Redis in production, or BullMQ's own
 * PostgreSQL backend against the application database (the embedded default,
 * which then needs no Redis). Everything else in the API asks this object for
 * queues and workers and never sees the difference.
 */
export class QueueRuntime {
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Set<Worker>();

  private constructor(
    readonly kind: QueueBackendKind,
    private readonly connect: {
      queue: (name: string, opts: QueueSettings) => Queue;
      worker: (name: string, processor: Processor, opts: WorkerSettings) => Worker;
      ping: () => Promise<void>;
      close: () => Promise<void>;
    },
  ) {}

  static async create(options: QueueRuntimeOptions): Promise<QueueRuntime> {
    if (options.kind === 'redis') {
      const connection = redisOptionsFromUrl(options.url);
      const prefix = options.prefix ?? 'trellis';
      const pinger = new Redis({ ...connection, lazyConnect: true, maxRetriesPerRequest: 1 });
      return new QueueRuntime('redis', {
        queue: (name, opts) => new Queue(name, { ...opts, connection, prefix }),
        worker: (name, processor, opts) =>
          new Worker(name, processor, { ...opts, connection, prefix }),
        ping: async () => {
          if (pinger.status === 'wait') await pinger.connect();
          await pinger.ping();
        },
        close: async () => {
          pinger.disconnect();
        },
      });
    }
    const schema = options.schema ?? 'bullmq';
    const client = new pg.Client({ connectionString: options.url });
    await client.connect();
    try {
      await runQueueMigrations(client, schema);
    } finally {
      await client.end();
    }
    const backend = withBackend(createPostgresBackend);
    const connection = {
      connectionString: options.url,
      schema,
      max: 10,
      application_name: 'trellis-queue',
    };
    const pool = new pg.Pool({ connectionString: options.url, max: 1 });
    return new QueueRuntime('postgres', {
      queue: (name, opts) => new backend.Queue(name, { ...opts, connection }) as unknown as Queue,
      worker: (name, processor, opts) =>
        new backend.Worker(name, processor, { ...opts, connection }) as unknown as Worker,
      ping: async () => {
        await pool.query(`SELECT 1 FROM ${quoteIdent(schema)}.meta LIMIT 1`);
      },
      close: () => pool.end(),
    });
  }

  /** One Queue object per name, reused. */
  queue(name: string, opts: QueueSettings = {}): Queue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = this.connect.queue(name, opts);
      this.queues.set(name, queue);
    }
    return queue;
  }

  worker(name: string, processor: Processor, opts: WorkerSettings = {}): Worker {
    const worker = this.connect.worker(name, processor, opts);
    this.workers.add(worker);
    return worker;
  }

  ping(): Promise<void> {
    return this.connect.ping();
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.workers].map((w) => w.close()));
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    this.workers.clear();
    this.queues.clear();
    await this.connect.close();
  }
}

export type RedisConnectionSettings = {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: Record<string, never>;
  maxRetriesPerRequest: null;
};

export function redisOptionsFromUrl(raw: string): RedisConnectionSettings {
  const url = new URL(raw);
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  return {
    host: url.hostname,
    port: url.port === '' ? 6379 : Number(url.port),
    ...(url.username !== '' ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== '' ? { password: decodeURIComponent(url.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
