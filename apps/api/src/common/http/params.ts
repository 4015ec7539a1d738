import { z } from 'zod';

/** Route ids are UUIDs; anything else is a 400 with the parameter named. */
export const IdParam = z.uuid({ error: 'must be a UUID' });
