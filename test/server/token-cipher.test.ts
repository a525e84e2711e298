import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  createTokenCipher,
  ENCRYPTION_KEY_ENV_VAR,
  parseEncryptionKey,
  XeroConnectionDecryptionError,
  XeroConnectionEncryptionKeyError,
} from '../../src/server';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const TOKEN = 'refresh-token-SECRET-0987654321';

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('parseEncryptionKey', () => {
  it('reads 32 bytes from hex, base64 and base64url', () => {
    expect(parseEncryptionKey(keyA.toString('hex'))).toEqual(keyA);
    expect(parseEncryptionKey(keyA.toString('base64'))).toEqual(keyA);
    expect(parseEncryptionKey(keyA.toString('base64url'))).toEqual(keyA);
    expect(parseEncryptionKey(` ${keyA.toString('base64')}\n`)).toEqual(keyA);
    expect(parseEncryptionKey(new Uint8Array(keyA))).toEqual(keyA);
  });

  it.each([[undefined], [''], ['   ']])('refuses a missing key (%j), naming the variable', (input) => {
    const error = caught(() => parseEncryptionKey(input));
    expect(error).toBeInstanceOf(XeroConnectionEncryptionKeyError);
    expect(error).toMatchObject({ problem: 'missing', source: ENCRYPTION_KEY_ENV_VAR, message: expect.stringContaining(ENCRYPTION_KEY_ENV_VAR) });
  });

  it.each([
    ['16 bytes of hex', randomBytes(16).toString('hex')],
    ['31 bytes of base64', randomBytes(31).toString('base64')],
    ['33 bytes of base64', randomBytes(33).toString('base64')],
    ['a passphrase', 'correct horse battery staple!'],
    ['63 hex digits', keyA.toString('hex').slice(1)],
  ])('refuses %s, naming the variable and never echoing the key', (_name, input) => {
    const error = caught(() => parseEncryptionKey(input));
    expect(error).toBeInstanceOf(XeroConnectionEncryptionKeyError);
    expect(error).toMatchObject({ problem: 'invalid', message: expect.stringContaining(ENCRYPTION_KEY_ENV_VAR) });
    expect((error as Error).message).not.toContain(input);
  });

  it('refuses raw bytes of the wrong length', () => {
    expect(caught(() => parseEncryptionKey(new Uint8Array(16), 'MY_KEY'))).toMatchObject({ problem: 'invalid', source: 'MY_KEY' });
  });
});

describe('createTokenCipher (AES-256-GCM)', () => {
  const cipher = createTokenCipher({ key: keyA });

  it('round-trips, in the versioned v1:<key id>:<iv>:<tag>:<ciphertext> format', () => {
    const stored = cipher.encrypt(TOKEN);
    expect(stored).toMatch(/^v1:[\w-]{8}:[\w-]{16}:[\w-]{22}:[\w-]+$/);
    expect(stored).not.toContain(TOKEN);
    expect(cipher.decrypt(stored)).toBe(TOKEN);
    expect(cipher.decrypt(cipher.encrypt(''))).toBe('');
    expect(cipher.decrypt(cipher.encrypt('ünïcødé ✓'))).toBe('ünïcødé ✓');
  });

  it('uses a fresh IV per value: the same token never encrypts the same twice', () => {
    const values = new Set(Array.from({ length: 50 }, () => cipher.encrypt(TOKEN)));
    expect(values.size).toBe(50);
    expect(new Set([...values].map((value) => value.split(':')[2])).size).toBe(50);
  });

  it.each([
    ['a flipped ciphertext bit', (parts: string[]) => {
      const bytes = Buffer.from(parts[4] ?? '', 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      parts[4] = bytes.toString('base64url');
    }],
    ['a flipped tag bit', (parts: string[]) => {
      const bytes = Buffer.from(parts[3] ?? '', 'base64url');
      bytes[5] = (bytes[5] ?? 0) ^ 0x80;
      parts[3] = bytes.toString('base64url');
    }],
    ['another IV', (parts: string[]) => {
      parts[2] = randomBytes(12).toString('base64url');
    }],
    ['a truncated ciphertext', (parts: string[]) => {
      parts[4] = (parts[4] ?? '').slice(0, -2);
    }],
  ])('detects tampering: %s → authentication_failed, never garbage', (_name, tamper) => {
    const parts = cipher.encrypt(TOKEN).split(':');
    tamper(parts);
    const error = caught(() => cipher.decrypt(parts.join(':')));
    expect(error).toBeInstanceOf(XeroConnectionDecryptionError);
    expect(error).toMatchObject({ problem: 'authentication_failed' });
  });

  it('binds a value to its associated data (a ciphertext moved to another row fails)', () => {
    const stored = cipher.encrypt(TOKEN, 'row-1/refresh_token');
    expect(cipher.decrypt(stored, 'row-1/refresh_token')).toBe(TOKEN);
    expect(caught(() => cipher.decrypt(stored, 'row-2/refresh_token'))).toMatchObject({ problem: 'authentication_failed' });
    expect(caught(() => cipher.decrypt(stored))).toMatchObject({ problem: 'authentication_failed' });
  });

  it.each([['plain text'], ['plain:abc'], ['v2:a:b:c:d'], ['v1:a:b:c'], ['v1:xx:yy:zz:ww:extra']])('calls %j malformed', (stored) => {
    expect(caught(() => cipher.decrypt(stored))).toMatchObject({ name: 'XeroConnectionDecryptionError', problem: expect.stringMatching(/malformed|unknown_key/) });
  });

  it('a wrong key fails with unknown_key, naming the variable', () => {
    const stored = createTokenCipher({ key: keyB }).encrypt(TOKEN);
    const error = caught(() => cipher.decrypt(stored));
    expect(error).toBeInstanceOf(XeroConnectionDecryptionError);
    expect(error).toMatchObject({ problem: 'unknown_key', message: expect.stringContaining(ENCRYPTION_KEY_ENV_VAR) });
  });

  it('rotates: old values decrypt with previousKeys, new ones are written with the new key', () => {
    const old = createTokenCipher({ key: keyA.toString('base64') }).encrypt(TOKEN);
    const rotated = createTokenCipher({ key: keyB.toString('hex'), previousKeys: [keyA.toString('base64')] });
    expect(rotated.decrypt(old)).toBe(TOKEN);
    const fresh = rotated.encrypt(TOKEN);
    expect(fresh.split(':')[1]).not.toBe(old.split(':')[1]);
    expect(createTokenCipher({ key: keyB }).decrypt(fresh)).toBe(TOKEN);
    expect(caught(() => createTokenCipher({ key: keyA }).decrypt(fresh))).toMatchObject({ problem: 'unknown_key' });
  });
});
