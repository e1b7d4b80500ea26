import { UserIds } from '@org/db';
import { legacyPasswordHash } from '@org/db/testing';
import { describe, expect, it } from 'vitest';
import { type Kdf, nodeKdf } from '../src/passwords/kdf.js';
import { expectProblem, login, register, useTestApp } from './testApp.js';

// One Redis only: what is counted is key-derivation work, which no Redis topology changes.
/*
 * Issue 13: response times told legacy-hash accounts from others at login (7.5 ms against 187 ms), and known
 * from unknown addresses at password reset and resend. Times are not asserted here (bench/timing.bench.ts
 * measures them); the work is: every branch of a login runs the same key derivations (counted through the
 * app's Kdf), and a reset or resend answers before it looks the address up.
 */
const calls: string[] = [];
const countingKdf: Kdf = {
  scrypt(password, salt, keyLength, params) {
    calls.push(`scrypt ln=${params.logN},r=${params.r},p=${params.p}`);
    return nodeKdf.scrypt(password, salt, keyLength, params);
  },
  pbkdf2Sha256(password, salt, iterations, keyLength) {
    calls.push(`pbkdf2 ${iterations}`);
    return nodeKdf.pbkdf2Sha256(password, salt, iterations, keyLength);
  },
};

/** The work of a list of calls: scrypt calls by parameters, PBKDF2 as total iterations. */
function workOf(list: string[]): { scrypt: string[]; pbkdf2Iterations: number } {
  return {
    scrypt: list.filter((call) => call.startsWith('scrypt')).sort(),
    pbkdf2Iterations: list
      .filter((call) => call.startsWith('pbkdf2'))
      .reduce((sum, call) => sum + Number(call.split(' ')[1]), 0),
  };
}

// Every test works on users of its own: one app, with the counting Kdf, serves the file.
const t = useTestApp({ perFile: true, start: { kdf: countingKdf } });
const PASSWORD = 'correct horse battery';
let n = 0;
const nextEmail = () => `cost${++n}-${Date.now()}@example.com`;

async function insertUser(email: string, password: string, active = true): Promise<void> {
  await t.db.orm.em.fork().execute(
    `insert into users (id, slug, email, password, first_name, last_name, is_active, is_staff, email_verified, date_joined)
     values (?, ?, ?, ?, '', '', ?, false, true, now())`,
    [UserIds.newId(), UserIds.newSlug(), email, password, active],
    'run',
  );
}

/** The derivations one login runs, and its status. */
async function loginWork(email: string, password: string) {
  calls.length = 0;
  const { res } = await login(t, email, password);
  return { status: res.statusCode, work: workOf(calls), res };
}

describe('every login branch does the same work', () => {
  it('unknown email, current and legacy hashes right or wrong, unusable hashes and deactivated accounts', async () => {
    const budget = 1000;
    const scrypt = nextEmail();
    await register(t, scrypt, PASSWORD);
    const legacy = nextEmail();
    await insertUser(legacy, legacyPasswordHash(PASSWORD, 'seasalt', budget));
    const cheapLegacy = nextEmail();
    await insertUser(cheapLegacy, legacyPasswordHash(PASSWORD, 'seasalt', 3));
    const unusable = nextEmail();
    await insertUser(unusable, '!unusable-password-marker');
    const malformed = nextEmail();
    await insertUser(
      malformed,
      'scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    );
    const deactivated = nextEmail();
    await register(t, deactivated, PASSWORD);
    await t.db.orm.em
      .fork()
      .execute('update users set is_active = false where email = ?', [deactivated], 'run');

    const branches = {
      'unknown email': await loginWork(nextEmail(), PASSWORD),
      'scrypt, wrong password': await loginWork(scrypt, 'wrong password'),
      'scrypt, right password': await loginWork(scrypt, PASSWORD),
      'legacy, wrong password': await loginWork(legacy, 'wrong password'),
      'legacy with few iterations, wrong password': await loginWork(cheapLegacy, 'wrong password'),
      'unusable hash': await loginWork(unusable, PASSWORD),
      'malformed hash': await loginWork(malformed, PASSWORD),
      deactivated: await loginWork(deactivated, PASSWORD),
      // Last: a successful legacy login replaces the hash.
      'legacy, right password (upgraded)': await loginWork(legacy, PASSWORD),
      'legacy with few iterations, right password (upgraded)': await loginWork(cheapLegacy, PASSWORD),
    };
    const expected = { scrypt: ['scrypt ln=10,r=8,p=1'], pbkdf2Iterations: budget };
    for (const [branch, { work }] of Object.entries(branches)) expect(work, branch).toEqual(expected);

    expect(branches['scrypt, right password'].status).toBe(200);
    expect(branches['legacy, right password (upgraded)'].status).toBe(200);
    expect(branches['legacy with few iterations, right password (upgraded)'].status).toBe(200);
    for (const branch of [
      'unknown email',
      'legacy, wrong password',
      'unusable hash',
      'deactivated',
    ] as const) {
      expectProblem(branches[branch].res, 401, 'invalid-credentials');
    }
    const stored = await t.db.orm.em
      .fork()
      .execute<{ password: string }[]>(
        'select password from users where email in (?, ?)',
        [legacy, cheapLegacy],
        'all',
      );
    for (const row of stored) expect(row.password).toMatch(/^scrypt\$ln=10,r=8,p=1\$/);
  });

  it('tells when a legacy hash costs more than the budget (the control case: the count sees a difference)', async () => {
    const costly = nextEmail();
    await insertUser(costly, legacyPasswordHash(PASSWORD, 'seasalt', 5000));
    const unknown = await loginWork(nextEmail(), 'wrong password');
    const over = await loginWork(costly, 'wrong password');
    expect(over.work).not.toEqual(unknown.work);
    expect(over.work.pbkdf2Iterations).toBe(5000);
  });
});

/** Holds an ACCESS EXCLUSIVE lock on `users` until released: any lookup of an address waits for it. */
async function lockUsers(): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const taken = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const transaction = t.db.orm.em.fork().transactional(async (em) => {
    await em.execute('lock table users in access exclusive mode', [], 'run');
    locked();
    await released;
  });
  await Promise.race([taken, transaction]);
  return {
    async release() {
      release();
      await transaction;
    },
  };
}

describe('password reset and verification resend answer before looking the address up', () => {
  it.each([
    ['/auth/password-reset', 'send-password-reset'],
    ['/auth/verify-email/resend', 'send-verification-email'],
  ] as const)(
    '%s: known and unknown addresses get their 202 while the users table is locked',
    async (url, job) => {
      const known = nextEmail();
      await register(t, known, PASSWORD);
      const before = (await t.emailSecrets(job)).length;
      const lock = await lockUsers();
      try {
        for (const email of [known, nextEmail()]) {
          const res = await t.app.inject({ method: 'POST', url, payload: { email } });
          expect(res.statusCode, email).toBe(202);
          expect(res.json()).toEqual({ status: 'accepted' });
        }
      } finally {
        await lock.release();
      }
      // The lookup ran after the answers: the known address got its email, the unknown one nothing.
      expect(await t.emailSecrets(job)).toHaveLength(before + 1);
    },
  );
});
