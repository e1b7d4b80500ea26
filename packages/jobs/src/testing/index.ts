export {
  type LegacyJobBacklogOptions,
  type LegacyJobSpec,
  legacyJobBacklog,
  SEED_CHUNK,
  type SeedLegacyJobsOptions,
  seedLegacyJobs,
} from './seedLegacyJobs.js';
