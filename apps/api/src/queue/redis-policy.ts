import { Redis } from 'ioredis';
import { redisOptionsFromUrl } from './queue-runtime.js';

export class RedisPolicyError extends Error {}

/**
 * BullMQ loses jobs if Redis evicts keys under memory pressure, so a worker
 * refuses to start unless maxmemory-policy is noeviction.
 */
export async function assertRedisNoEviction(url: string): Promise<void> {
  const redis = new Redis({
    ...redisOptionsFromUrl(url),
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  try {
    await redis.connect();
    const reply = (await redis.config('GET', 'maxmemory-policy')) as unknown;
    const policy = Array.isArray(reply) ? String(reply[1]) : String(reply);
    if (policy !== 'noeviction') {
      throw new RedisPolicyError(
        `Redis maxmemory-policy is "${policy}", but BullMQ needs "noeviction" or jobs can be lost. ` +
          'Run: redis-cli CONFIG SET maxmemory-policy noeviction (and set it in redis.conf).',
      );
    }
  } finally {
    redis.disconnect();
  }
}
