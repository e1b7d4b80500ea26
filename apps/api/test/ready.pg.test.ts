import { initOrm, LEGACY_SCHEMA_MIGRATION, type Orm, runMigrations } from '@org/db';
import { type TestDatabase as CreatedDatabase, createTestDatabase } from '@org/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { expectProblem, startTestApp, type TestApp } from './testApp.js';

/*
 * Issue 13: on an unmigrated database the api listened and /ready said ready while every route failed.
 * /ready now also checks that the cutover migration is recorded.
 */
let created: CreatedDatabase | undefined;
let orm: Orm | undefined;
let t: TestApp | undefined;

afterEach(async () => {
  await t?.close();
  await orm?.close(true);
  await created?.drop();
  t = undefined;
  orm = undefined;
  created = undefined;
});

async function appOn(state: 'empty' | 'legacy'): Promise<TestApp> {
  created = await createTestDatabase({ state: 'empty' });
  orm = await initOrm({ clientUrl: created.url });
  if (state === 'legacy') await runMigrations(orm, { to: LEGACY_SCHEMA_MIGRATION });
  t = await startTestApp({ url: created.url, orm, close: async () => {} });
  return t;
}

const ready = (app: TestApp) => app.app.inject({ method: 'GET', url: '/ready' });

describe('/ready on a database that is not migrated', () => {
  it('empty: 503 naming the schema and the command; routes that need the database answer 503 too', async () => {
    const app = await appOn('empty');
    const res = await ready(app);
    expectProblem(res, 503, 'service-unavailable');
    expect(res.json().detail).toBe('postgres: not migrated (run pnpm migrate), redis: ok');
    expectProblem(
      await app.app.inject({ method: 'GET', url: '/users/AbCdEfGhIjKl' }),
      503,
      'service-unavailable',
    );
  });

  it('legacy: 503 until the migrations have run, then ready without a restart', async () => {
    const app = await appOn('legacy');
    const before = await ready(app);
    expectProblem(before, 503, 'service-unavailable');
    expect(before.json().detail).toBe('postgres: not migrated (run pnpm migrate), redis: ok');
    await runMigrations(orm!, {});
    const after = await ready(app);
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });
});
