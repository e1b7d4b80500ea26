/** The one BullMQ queue that carries every job of the user system (api -> worker). */
export const JOBS_QUEUE = 'jobs';

/** BullMQ's own default key prefix; tests pass their own prefix for isolation. */
export const DEFAULT_QUEUE_PREFIX = 'bull';
