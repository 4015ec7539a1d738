import { isAbsolute, resolve } from 'node:path';

/**
 * The one typed view of the environment. Nothing else in the API reads
 * process.env: `loadConfig(process.env)` is called once at the edge and the
 * result is passed down (and provided through Nest as `APP_CONFIG`).
 */
export type DatabaseConfig =
  | { readonly kind: 'external'; readonly url: string }
  | { readonly kind: 'embedded'; readonly dataDir: string };

export type QueueConfig =
  { readonly kind: 'redis'; readonly url: string } | { readonly kind: 'postgres' };

export type AppConfig = {
  readonly env: 'development' | 'production' | 'test';
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  /** Optional read replica for reports; reports use the primary when absent. */
  readonly reportsDatabaseUrl: string | null;
  readonly queue: QueueConfig;
  /** Run the automation worker inside the API process (the embedded default does). */
  readonly workerInProcess: boolean;
  /** Null means: generate one and keep it in dataDir (refused in production). */
  readonly jwtSecret: string | null;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly smtpUrl: string | null;
  readonly mailFrom: string;
  /**
   * Hosts that outbound webhooks may reach even though they are loopback.
   * Exists for tests with a local receiver; empty in every real deployment.
   */
  readonly outboundAllowHosts: readonly string[];
  /** Serve the built designer from this folder (null: API only). */
  readonly designerDist: string | null;
  /** The shipped templates (one folder each, e.g. customer-follow-up), offered in the gallery. */
  readonly templatesDir: string;
  readonly reportStatementTimeoutMs: number;
  /**
   * After the first account (the instance owner), who may sign up without an
   * invitation: nobody ("invite"), or anyone, getting a workspace of their own ("open").
   */
  readonly signup: 'invite' | 'open';
  /** Test-only: record every SQL text sent (see database.service.ts statementTrace). */
  readonly sqlTrace: boolean;
  /** The automation runtime: outbox relay, workers, scheduler and deliveries. */
  readonly automation: AutomationConfig;
};

export type AutomationConfig = {
  /** Redis key prefix of the queues (QUEUE_PREFIX). */
  readonly queuePrefix: string;
  /** How long a worker holds a job before it counts as stalled and is redelivered (QUEUE_LOCK_MS). */
  readonly lockMs: number;
  /** Jobs one worker process runs at once (WORKER_CONCURRENCY). */
  readonly concurrency: number;
  /** Retry budget of a job before it is dead-lettered (JOB_ATTEMPTS). */
  readonly attempts: number;
  /** First retry delay; it doubles on every attempt (JOB_BACKOFF_MS). */
  readonly backoffMs: number;
  /** Fallback poll of the outbox when no notification arrives (OUTBOX_POLL_MS). */
  readonly outboxPollMs: number;
  /** How often the scheduler reconciles timers with the queue (SCHEDULER_INTERVAL_MS). */
  readonly schedulerIntervalMs: number;
  /** Consecutive failed attempts after which a webhook or robot is disabled (WEBHOOK_DISABLE_AFTER). */
  readonly webhookDisableAfter: number;
  /** Test only: shifts the automation clock forward (TRELLIS_CLOCK_OFFSET_MS); 0 in production. */
  readonly clockOffsetMs: number;
  /** Test only: a crash point for redelivery tests (TRELLIS_FAILPOINT); null in production. */
  readonly failpoint: 'crash-after-action-commit' | null;
};

/** Every environment variable the API reads; docker/compose.yaml is checked against it. */
export const CONFIG_ENV_KEYS = [
  'NODE_ENV',
  'HOST',
  'PORT',
  'TRELLIS_DATA_DIR',
  'DATABASE_URL',
  'REPORTS_DATABASE_URL',
  'REDIS_URL',
  'TRELLIS_WORKER',
  'JWT_SECRET',
  'ACCESS_TOKEN_TTL',
  'REFRESH_TOKEN_TTL',
  'LOG_LEVEL',
  'SMTP_URL',
  'MAIL_FROM',
  'OUTBOUND_ALLOW_HOSTS',
  'DESIGNER_DIST',
  'TEMPLATES_DIR',
  'REPORT_STATEMENT_TIMEOUT_MS',
  'TRELLIS_SIGNUP',
  'TRELLIS_SQL_TRACE',
  'QUEUE_PREFIX',
  'QUEUE_LOCK_MS',
  'WORKER_CONCURRENCY',
  'JOB_ATTEMPTS',
  'JOB_BACKOFF_MS',
  'OUTBOX_POLL_MS',
  'SCHEDULER_INTERVAL_MS',
  'WEBHOOK_DISABLE_AFTER',
  'TRELLIS_CLOCK_OFFSET_MS',
  'TRELLIS_FAILPOINT',
] as const;

export type ConfigEnvKey = (typeof CONFIG_ENV_KEYS)[number];
export type ConfigEnv = Partial<Record<ConfigEnvKey, string | undefined>> &
  Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Environment -> validated config. Collects every problem before throwing so
 * an operator fixes them all in one go.
 */
export function loadConfig(env: ConfigEnv, cwd: string = process.cwd()): AppConfig {
  const problems: string[] = [];
  const read = (key: ConfigEnvKey): string | undefined => {
    const value = env[key]?.trim();
    return value === '' ? undefined : value;
  };

  const nodeEnv = read('NODE_ENV') ?? 'development';
  if (nodeEnv !== 'development' && nodeEnv !== 'production' && nodeEnv !== 'test') {
    problems.push(`NODE_ENV must be development, production or test (got "${nodeEnv}")`);
  }
  const envName =
    (['development', 'production', 'test'] as const).find((e) => e === nodeEnv) ?? 'development';

  const port = integer(read('PORT'), 3000, 'PORT', 0, 65535, problems);
  const host = read('HOST') ?? '0.0.0.0';
  const dataDirRaw = read('TRELLIS_DATA_DIR') ?? '.trellis';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);

  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined)
    checkUrl(
      databaseUrl,
      'DATABASE_URL',
      ['postgres:', 'postgresql:'],
      'a postgres:// URL',
      problems,
    );
  const reportsUrl = read('REPORTS_DATABASE_URL');
  if (reportsUrl !== undefined)
    checkUrl(
      reportsUrl,
      'REPORTS_DATABASE_URL',
      ['postgres:', 'postgresql:'],
      'a postgres:// URL',
      problems,
    );
  const redisUrl = read('REDIS_URL');
  if (redisUrl !== undefined)
    checkUrl(redisUrl, 'REDIS_URL', ['redis:', 'rediss:'], 'a redis:// URL', problems);
  const smtpUrl = read('SMTP_URL');
  if (smtpUrl !== undefined)
    checkUrl(smtpUrl, 'SMTP_URL', ['smtp:', 'smtps:'], 'an smtp:// URL', problems);

  const database: DatabaseConfig =
    databaseUrl !== undefined
      ? { kind: 'external', url: databaseUrl }
      : { kind: 'embedded', dataDir: resolve(dataDir, 'pgdata') };
  const queue: QueueConfig =
    redisUrl !== undefined ? { kind: 'redis', url: redisUrl } : { kind: 'postgres' };

  const worker =
    read('TRELLIS_WORKER') ?? (database.kind === 'embedded' ? 'in-process' : 'separate');
  if (worker !== 'in-process' && worker !== 'separate') {
    problems.push(`TRELLIS_WORKER must be "in-process" or "separate" (got "${worker}")`);
  }

  const jwtSecret = read('JWT_SECRET') ?? null;
  if (jwtSecret !== null && jwtSecret.length < 32) {
    problems.push('JWT_SECRET must be at least 32 characters long');
  }
  if (jwtSecret === null && envName === 'production') {
    problems.push('JWT_SECRET is required when NODE_ENV=production');
  }

  const logLevel = read('LOG_LEVEL') ?? (envName === 'test' ? 'warn' : 'info');
  const level = LOG_LEVELS.find((l) => l === logLevel);
  if (level === undefined)
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);

  const outboundAllowHosts = (read('OUTBOUND_ALLOW_HOSTS') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  if (envName === 'production' && outboundAllowHosts.length > 0) {
    problems.push(
      'OUTBOUND_ALLOW_HOSTS is a test setting and must be empty when NODE_ENV=production',
    );
  }

  const designerDistRaw = read('DESIGNER_DIST');
  const templatesDirRaw = read('TEMPLATES_DIR');

  const signup = read('TRELLIS_SIGNUP') ?? 'invite';
  if (signup !== 'invite' && signup !== 'open')
    problems.push(`TRELLIS_SIGNUP must be "invite" or "open" (got "${signup}")`);

  if (read('TRELLIS_SQL_TRACE') === '1' && envName === 'production')
    problems.push('TRELLIS_SQL_TRACE is a test setting and must be off when NODE_ENV=production');

  const automation = loadAutomationConfig(read, envName, problems);

  const config: AppConfig = {
    env: envName,
    host,
    port,
    dataDir,
    database,
    reportsDatabaseUrl: reportsUrl ?? null,
    queue,
    workerInProcess: worker === 'in-process',
    jwtSecret,
    accessTokenTtlSeconds: integer(
      read('ACCESS_TOKEN_TTL'),
      900,
      'ACCESS_TOKEN_TTL',
      5,
      86_400,
      problems,
    ),
    refreshTokenTtlSeconds: integer(
      read('REFRESH_TOKEN_TTL'),
      30 * 86_400,
      'REFRESH_TOKEN_TTL',
      60,
      365 * 86_400,
      problems,
    ),
    logLevel: level ?? 'info',
    smtpUrl: smtpUrl ?? null,
    mailFrom: read('MAIL_FROM') ?? 'Trellis <no-reply@trellis.local>',
    outboundAllowHosts,
    designerDist: designerDistRaw === undefined ? null : resolve(cwd, designerDistRaw),
    // default: the repository's templates/ folder, next to apps/api (dist/src/config is 5 levels down)
    templatesDir:
      templatesDirRaw === undefined
        ? resolve(import.meta.dirname, '..', '..', '..', '..', '..', 'templates')
        : resolve(cwd, templatesDirRaw),
    reportStatementTimeoutMs: integer(
      read('REPORT_STATEMENT_TIMEOUT_MS'),
      15_000,
      'REPORT_STATEMENT_TIMEOUT_MS',
      10,
      600_000,
      problems,
    ),
    signup: signup === 'open' ? 'open' : 'invite',
    sqlTrace: read('TRELLIS_SQL_TRACE') === '1',
    automation,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function loadAutomationConfig(
  read: (key: ConfigEnvKey) => string | undefined,
  envName: AppConfig['env'],
  problems: string[],
): AutomationConfig {
  const queuePrefix = read('QUEUE_PREFIX') ?? 'trellis';
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(queuePrefix))
    problems.push(`QUEUE_PREFIX must be 1-64 letters, digits, dots, dashes or underscores`);
  const clockOffsetMs = integer(
    read('TRELLIS_CLOCK_OFFSET_MS'),
    0,
    'TRELLIS_CLOCK_OFFSET_MS',
    0,
    10 * 365 * 86_400_000,
    problems,
  );
  if (clockOffsetMs !== 0 && envName === 'production')
    problems.push(
      'TRELLIS_CLOCK_OFFSET_MS is a test setting and must be 0 when NODE_ENV=production',
    );
  const failpointRaw = read('TRELLIS_FAILPOINT');
  let failpoint: AutomationConfig['failpoint'] = null;
  if (failpointRaw !== undefined) {
    if (failpointRaw !== 'crash-after-action-commit')
      problems.push(
        `TRELLIS_FAILPOINT must be "crash-after-action-commit" (got "${failpointRaw}")`,
      );
    else if (envName === 'production')
      problems.push(
        'TRELLIS_FAILPOINT is a test setting and must be empty when NODE_ENV=production',
      );
    else failpoint = failpointRaw;
  }
  return {
    queuePrefix,
    lockMs: integer(read('QUEUE_LOCK_MS'), 30_000, 'QUEUE_LOCK_MS', 500, 600_000, problems),
    concurrency: integer(read('WORKER_CONCURRENCY'), 8, 'WORKER_CONCURRENCY', 1, 256, problems),
    attempts: integer(read('JOB_ATTEMPTS'), 5, 'JOB_ATTEMPTS', 1, 50, problems),
    backoffMs: integer(read('JOB_BACKOFF_MS'), 2_000, 'JOB_BACKOFF_MS', 10, 3_600_000, problems),
    outboxPollMs: integer(read('OUTBOX_POLL_MS'), 1_000, 'OUTBOX_POLL_MS', 20, 60_000, problems),
    schedulerIntervalMs: integer(
      read('SCHEDULER_INTERVAL_MS'),
      30_000,
      'SCHEDULER_INTERVAL_MS',
      100,
      3_600_000,
      problems,
    ),
    webhookDisableAfter: integer(
      read('WEBHOOK_DISABLE_AFTER'),
      10,
      'WEBHOOK_DISABLE_AFTER',
      1,
      1_000,
      problems,
    ),
    clockOffsetMs,
    failpoint,
  };
}

function integer(
  raw: string | undefined,
  fallback: number,
  key: string,
  min: number,
  max: number,
  problems: string[],
): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) {
    problems.push(`${key} must be a whole number (got "${raw}")`);
    return fallback;
  }
  const value = Number(raw);
  if (value < min || value > max) {
    problems.push(`${key} must be between ${min} and ${max} (got ${value})`);
    return fallback;
  }
  return value;
}

function checkUrl(
  raw: string,
  key: string,
  protocols: readonly string[],
  what: string,
  problems: string[],
): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`${key} must be ${what} (got something that is not a URL)`);
    return;
  }
  if (!protocols.includes(url.protocol))
    problems.push(`${key} must be ${what} (got ${url.protocol}//)`);
}

/** A one-line description for logs; never prints passwords. */
export function describeConfig(config: AppConfig): string {
  const database =
    config.database.kind === 'embedded'
      ? `embedded PostgreSQL (PGlite) in ${config.database.dataDir}`
      : `PostgreSQL at ${redact(config.database.url)}`;
  const queue =
    config.queue.kind === 'redis'
      ? `BullMQ on Redis at ${redact(config.queue.url)}`
      : 'BullMQ on PostgreSQL';
  return `database: ${database}; queue: ${queue}`;
}

export function redact(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '(invalid URL)';
  }
}
