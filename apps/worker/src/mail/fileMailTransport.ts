import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MailMessage, MailTransport } from './mailTransport.js';

/** What the file transport writes: the message plus when it was written. */
export interface StoredMail extends MailMessage {
  deliveredAt: string;
}

/**
 * Writes each message as one JSON file, named after its message id, into a folder (the default transport:
 * the demo and the tests read what was sent). The write goes to a temporary name and is renamed, so a file
 * that exists is a complete message and `wasDelivered` can answer exactly.
 *
 * @example
 * const transport = createFileMailTransport('.demo/mail');
 */
export function createFileMailTransport(directory: string): MailTransport {
  const fileFor = (messageId: string) => join(directory, `${fileNameFor(messageId)}.json`);
  return {
    kind: 'file',
    async deliver(message) {
      await mkdir(directory, { recursive: true });
      const stored: StoredMail = { ...message, deliveredAt: new Date().toISOString() };
      const target = fileFor(message.messageId);
      const temporary = `${target}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temporary, `${JSON.stringify(stored, null, 2)}\n`);
      await rename(temporary, target);
    },
    async wasDelivered(messageId) {
      try {
        await stat(fileFor(messageId));
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw error;
      }
    },
    async close() {},
  };
}

/** Every message the file transport wrote into `directory`, oldest first. */
export async function readMailbox(directory: string): Promise<StoredMail[]> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const messages = await Promise.all(
    names
      .filter((name) => name.endsWith('.json'))
      .map(async (name) => JSON.parse(await readFile(join(directory, name), 'utf8')) as StoredMail),
  );
  return messages.sort((a, b) => a.deliveredAt.localeCompare(b.deliveredAt));
}

function fileNameFor(messageId: string): string {
  return messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._-]/g, '_');
}
