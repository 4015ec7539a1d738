/** Injection tokens for the process-level resources created before Nest starts. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const QUEUE_RUNTIME = Symbol('QUEUE_RUNTIME');
export const APP_LOGGER = Symbol('APP_LOGGER');
export const DATABASE_URL = Symbol('DATABASE_URL');
