import { newSalt, scryptKey } from './hashPassword.js';
import { type Kdf, nodeKdf } from './kdf.js';
import type { ScryptParams } from './scryptParams.js';
import { encodeScryptHash, parseStoredHash, SCRYPT_KEY_BYTES, type StoredHash } from './storedHash.js';
import { constantTimeEqual } from './verifyPassword.js';

export interface LoginPasswordPolicy {
  /** Parameters of every new hash. */
  scrypt: ScryptParams;
  /**
   * PBKDF2 iterations every login pays, whatever the account: a legacy hash's own iterations count towards
   * them, other branches pay them on a decoy. At least the largest count among the stored legacy hashes; 0
   * once none is left.
   */
  legacyPbkdf2Iterations: number;
}

export interface LoginCheck {
  ok: boolean;
  /** A scrypt hash to store instead of the legacy or weaker one that just verified. */
  upgradedHash: string | undefined;
  /** Set when this login cost more than the others (a legacy hash over the iteration budget). */
  overBudget: string | undefined;
}

const DECOY_SALT = 'login-decoy-salt';
const UNUSABLE: StoredHash = { kind: 'unusable' };

function sameParams(a: ScryptParams, b: ScryptParams): boolean {
  return a.logN === b.logN && a.r === b.r && a.p === b.p;
}

/**
 * Checks a login's password with the same work on every branch, so that response times do not tell unknown
 * emails, current hashes, legacy PBKDF2 hashes, unusable hashes and deactivated accounts apart (issue 13).
 * Every call runs two chains side by side on the thread pool:
 * - PBKDF2-SHA256 of exactly `legacyPbkdf2Iterations` in total: a legacy hash's own verification, topped up
 *   by a decoy; the whole budget on a decoy for every other branch;
 * - exactly one scrypt at the current parameters: the verification of a current hash, otherwise a new hash
 *   with a fresh salt (the upgrade when a legacy password verified, thrown away when nothing did).
 * A scrypt hash of other parameters (none exist today) also pays its own verification, on top.
 * `stored` is null for an unknown email.
 *
 * @example
 * const check = await verifyLogin(user?.password ?? null, input, { scrypt, legacyPbkdf2Iterations: 260_000 });
 */
export async function verifyLogin(
  stored: string | null,
  password: string,
  policy: LoginPasswordPolicy,
  kdf: Kdf = nodeKdf,
): Promise<LoginCheck> {
  const hash = stored === null ? UNUSABLE : parseStoredHash(stored);
  const current = hash.kind === 'scrypt' && sameParams(hash.params, policy.scrypt);

  const pbkdf2Chain = async (): Promise<boolean> => {
    let ok = false;
    let paid = 0;
    if (hash.kind === 'pbkdf2') {
      ok = constantTimeEqual(
        await kdf.pbkdf2Sha256(password, hash.salt, hash.iterations, hash.key.length),
        hash.key,
      );
      paid = hash.iterations;
    }
    if (paid < policy.legacyPbkdf2Iterations) {
      await kdf.pbkdf2Sha256(password, DECOY_SALT, policy.legacyPbkdf2Iterations - paid, SCRYPT_KEY_BYTES);
    }
    return ok;
  };
  const scryptChain = async (): Promise<{ ok: boolean; fresh: string | undefined }> => {
    if (hash.kind === 'scrypt' && current) {
      return {
        ok: constantTimeEqual(await scryptKey(kdf, password, hash.salt, hash.params), hash.key),
        fresh: undefined,
      };
    }
    const ok =
      hash.kind === 'scrypt' &&
      constantTimeEqual(await scryptKey(kdf, password, hash.salt, hash.params), hash.key);
    const salt = newSalt();
    return {
      ok,
      fresh: encodeScryptHash(policy.scrypt, salt, await scryptKey(kdf, password, salt, policy.scrypt)),
    };
  };

  const [legacyOk, scrypt] = await Promise.all([pbkdf2Chain(), scryptChain()]);
  const ok = hash.kind === 'pbkdf2' ? legacyOk : scrypt.ok;
  const overBudget =
    hash.kind === 'pbkdf2' && hash.iterations > policy.legacyPbkdf2Iterations
      ? `a legacy hash has ${hash.iterations} PBKDF2 iterations, more than LEGACY_PBKDF2_ITERATIONS (${policy.legacyPbkdf2Iterations}): its logins take longer than others`
      : hash.kind === 'scrypt' && !current
        ? 'a scrypt hash with other parameters than the current ones costs one more derivation than other logins'
        : undefined;
  return { ok, upgradedHash: ok && !current ? scrypt.fresh : undefined, overBudget };
}
