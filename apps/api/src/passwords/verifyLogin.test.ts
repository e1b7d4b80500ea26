import { describe, expect, it } from 'vitest';
import { hashPassword } from './hashPassword.js';
import { verifyLogin } from './verifyLogin.js';
import { verifyPassword } from './verifyPassword.js';

const cheap = { logN: 10, r: 8, p: 1 };
const policy = { scrypt: cheap, legacyPbkdf2Iterations: 1000 };
// pbkdf2_sha256 of "correct horse" with salt "seasalt", 1000 rounds (Python's hashlib).
const LEGACY = 'pbkdf2_sha256$1000$seasalt$mQnueSakb748zqBAC1tmWVZsZbi2zPGZarEzTGdfmso=';

describe('verifyLogin', () => {
  it('verifies a current hash without asking for an upgrade', async () => {
    const stored = await hashPassword('secret', cheap);
    expect(await verifyLogin(stored, 'secret', policy)).toEqual({
      ok: true,
      upgradedHash: undefined,
      overBudget: undefined,
    });
    expect((await verifyLogin(stored, 'Secret', policy)).ok).toBe(false);
  });

  it('verifies a legacy hash and hands back a current one for the same password', async () => {
    const check = await verifyLogin(LEGACY, 'correct horse', policy);
    expect(check.ok).toBe(true);
    expect(check.upgradedHash).toMatch(/^scrypt\$ln=10,r=8,p=1\$/);
    expect(await verifyPassword(check.upgradedHash!, 'correct horse', cheap)).toEqual({
      ok: true,
      needsRehash: false,
    });
  });

  it('fails an unknown account, a wrong password, an unusable or malformed value, with no hash to store', async () => {
    for (const stored of [null, LEGACY, '!unusable', 'md5$x$y', '']) {
      const check = await verifyLogin(stored, stored === LEGACY ? 'wrong' : 'correct horse', policy);
      expect(check, String(stored)).toEqual({ ok: false, upgradedHash: undefined, overBudget: undefined });
    }
  });

  it('upgrades a weaker scrypt hash and says that it cost more', async () => {
    const weaker = await hashPassword('secret', { logN: 9, r: 8, p: 1 });
    const check = await verifyLogin(weaker, 'secret', policy);
    expect(check.ok).toBe(true);
    expect(check.upgradedHash).toMatch(/^scrypt\$ln=10,/);
    expect(check.overBudget).toMatch(/other parameters/);
  });

  it('says when a legacy hash has more iterations than every login pays', async () => {
    const check = await verifyLogin(LEGACY, 'correct horse', { ...policy, legacyPbkdf2Iterations: 10 });
    expect(check.ok).toBe(true);
    expect(check.overBudget).toMatch(/1000 PBKDF2 iterations, more than LEGACY_PBKDF2_ITERATIONS \(10\)/);
  });
});
