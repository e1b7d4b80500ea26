import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { freePort } from '@org/cli';

export interface EmbeddedPostgres {
  /** A `postgres://` URL that any PostgreSQL client (the migrate task, the api, the worker) can use. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * PostgreSQL embedded in this process (PGlite, PostgreSQL compiled to WebAssembly), served on a loopback port
 * through the wire protocol, so that the cutover, the api and the worker run exactly as they would against a
 * server. PGlite has one backend: the socket server multiplexes connections onto it and keeps a connection's
 * transaction to itself.
 */
export async function startEmbeddedPostgres(dataDir = 'memory://'): Promise<EmbeddedPostgres> {
  const db = await PGlite.create(dataDir);
  const port = await freePort();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: 64 });
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
