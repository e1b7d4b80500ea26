import { describe, expect, it } from 'vitest';
import { hashPassword } from './hashPassword.js';
import { isUsablePasswordHash, verifyPassword } from './verifyPassword.js';

const cheap = { logN: 10, r: 8, p: 1 };

// Vectors computed independently with Python's hashlib (pbkdf2_hmac / scrypt).
const DJANGO_VECTORS = [
  ['correct horse', 'pbkdf2_sha256$1000$seasalt$mQnueSakb748zqBAC1tmWVZsZbi2zPGZarEzTGdfmso='],
  ['pässwörd', 'pbkdf2_sha256$2$abcDEF123$4tNq5bNjVzC2www0PXgWaLXOckW8sllbAN+ox4RV6KY='],
] as const;
const SCRYPT_VECTOR = `scrypt$ln=10,r=8,p=1$${Buffer.from('0123456789abcdef').toString('base64url')}$S7FwBvpu-z8K0PUVUagFRTUAB2dAxIZpzVHvLZir-98`;

describe('hashPassword', () => {
  it('encodes params, a per-hash salt and the key, and fits the 128-character column', async () => {
    const a = await hashPassword('secret', cheap);
    const b = await hashPassword('secret', cheap);
    expect(a).toMatch(/^scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect((await hashPassword('secret')).length).toBeLessThanOrEqual(128);
  });

  it('round-trips through verifyPassword', async () => {
    const encoded = await hashPassword('secret', cheap);
    expect(await verifyPassword(encoded, 'secret', cheap)).toEqual({ ok: true, needsRehash: false });
    expect(await verifyPassword(encoded, 'Secret', cheap)).toEqual({ ok: false, needsRehash: false });
  });
});

describe('verifyPassword', () => {
  it('verifies a scrypt vector computed elsewhere', async () => {
    expect((await verifyPassword(SCRYPT_VECTOR, 'secret', cheap)).ok).toBe(true);
  });

  it('asks for a rehash when the stored params are weaker than the current ones', async () => {
    expect(await verifyPassword(SCRYPT_VECTOR, 'secret', { logN: 11, r: 8, p: 1 })).toEqual({
      ok: true,
      needsRehash: true,
    });
  });

  it.each(DJANGO_VECTORS)(
    'verifies the legacy Django hash of %s and asks for a rehash',
    async (password, encoded) => {
      expect(await verifyPassword(encoded, password, cheap)).toEqual({ ok: true, needsRehash: true });
      expect(await verifyPassword(encoded, `${password}x`, cheap)).toEqual({ ok: false, needsRehash: false });
    },
  );

  it.each([
    ['unusable marker', '!unusable'],
    ['empty', ''],
    ['unknown algorithm', 'md5$abc$def'],
    ['truncated pbkdf2', 'pbkdf2_sha256$1000$seasalt$mQnue'],
    ['zero iterations', 'pbkdf2_sha256$0$seasalt$mQnueSakb748zqBAC1tmWVZsZbi2zPGZarEzTGdfmso='],
    ['absurd scrypt cost', SCRYPT_VECTOR.replace('ln=10', 'ln=40')],
  ])('never verifies a %s value', async (_, encoded) => {
    expect(await verifyPassword(encoded, 'correct horse', cheap)).toEqual({ ok: false, needsRehash: false });
  });

  it('tells usable hashes from unusable ones', () => {
    expect(isUsablePasswordHash(SCRYPT_VECTOR)).toBe(true);
    expect(isUsablePasswordHash(DJANGO_VECTORS[0][1])).toBe(true);
    expect(isUsablePasswordHash('!xyz')).toBe(false);
  });
});
