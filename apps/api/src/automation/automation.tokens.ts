/** The process's JobBus (BullMQ on Redis or PostgreSQL, in envelopes). */
export const JOB_BUS = Symbol('JOB_BUS');
