import { z } from 'zod';

const Probe = z.object({
  status: z.enum(['up', 'down']),
  latencyMs: z.number(),
  error: z.string().optional(),
});

export const HealthResponse = z.object({
  status: z.enum(['ok', 'degraded']),
  database: Probe.extend({ kind: z.enum(['embedded', 'postgres']) }),
  queue: Probe.extend({ kind: z.enum(['redis', 'postgres']) }),
});
export type HealthResponse = z.infer<typeof HealthResponse>;
