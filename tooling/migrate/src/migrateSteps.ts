import type { MigrateStep } from './MigrateStep.js';
import { databaseStep } from './steps/1-databaseStep.js';
import { sessionsStep } from './steps/2-sessionsStep.js';
import { queuedJobsStep } from './steps/3-queuedJobsStep.js';

/** The cutover, in order: the database first, then the Redis sessions, then the queued jobs. */
export const MIGRATE_STEPS: readonly MigrateStep[] = [databaseStep, sessionsStep, queuedJobsStep];
