import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UserId } from '@org/db';
import { JobRejectedError } from '../errors.js';
import type { JobContext, WorkerDeps } from '../jobContext.js';

export interface ExportResult {
  file: string;
  socialAccounts: number;
}

/**
 * Writes the user's data (user, profile, social accounts; never password or token hashes, and no provider
 * tokens from `extra_data`) as `<EXPORT_DIR>/<userId>.json`, replacing an older export atomically.
 */
export async function exportUserData(
  payload: { userId: UserId },
  context: JobContext,
  deps: WorkerDeps,
): Promise<ExportResult> {
  const data = await deps.store.loadUserExport(payload.userId);
  if (data === null) throw new JobRejectedError(`user ${payload.userId} does not exist`);
  await mkdir(deps.exportDir, { recursive: true });
  const file = join(deps.exportDir, `${payload.userId}.json`);
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  const document = { format: 'user-export/1', exportedAt: context.now().toISOString(), ...data };
  await writeFile(temporary, `${JSON.stringify(document, null, 2)}\n`);
  await rename(temporary, file);
  context.log.info({ file, socialAccounts: data.socialAccounts.length }, 'user data exported');
  return { file, socialAccounts: data.socialAccounts.length };
}
