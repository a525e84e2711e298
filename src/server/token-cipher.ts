import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** The environment variable the SQLite store reads its encryption key from. */
export const ENCRYPTION_KEY_ENV_VAR = 'XERO_CONNECTION_ENCRYPTION_KEY';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/** Why a key was refused: absent, or not 32 bytes of base64 / hex. */
export type EncryptionKeyProblem = 'missing' | 'invalid';

/**
 * The encryption key is missing or is not 32 bytes. The message names the variable (or option)
 * the key was read from and never includes the key itself.
 */
export class XeroConnectionEncryptionKeyError extends Error {
  override readonly name = 'XeroConnectionEncryptionKeyError';
  readonly problem: EncryptionKeyProblem;
  /** Where the key was read from, e.g. `XERO_CONNECTION_ENCRYPTION_KEY`. */
  readonly source: string;

  constructor(problem: EncryptionKeyProblem, source: string, message: string) {
    super(message);
    this.problem = problem;
    this.source = source;
  }
}

/** Why a stored value could not be decrypted. */
export type DecryptionProblem =
  /** Not a value this version writes (truncated, another format, or stored in insecure demo mode). */
  | 'malformed'
  /** Encrypted with a key that is not configured (a wrong key, or a rotated-out one). */
  | 'unknown_key'
  /** The authentication tag did not match: the value was altered, or moved from another row or field. */
  | 'authentication_failed';

/** A stored value could not be decrypted. Nothing decrypted is ever returned in that case. */
export class XeroConnectionDecryptionError extends Error {
  override readonly name = 'XeroConnectionDecryptionError';
  readonly problem: DecryptionProblem;

  constructor(problem: DecryptionProblem, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.problem = problem;
  }
}

/** Encrypts and decrypts single string values (tokens, PKCE verifiers) for storage. */
export interface TokenCipher {
  /** Whether values are really encrypted (`false` only in the SQLite store's insecure demo mode). */
  readonly encrypts: boolean;
  /**
   * `associatedData` binds the value to where it is stored (e.g. the row and column): decrypting
   * it with other associated data fails, so ciphertexts cannot be swapped between rows.
   */
  encrypt(plaintext: string, associatedData?: string): string;
  /**
   * The plaintext of a value {@link TokenCipher.encrypt} returned, with the same `associatedData`.
   * Throws {@link XeroConnectionDecryptionError} rather than return anything it cannot authenticate.
   */
  decrypt(stored: string, associatedData?: string): string;
  /** Whether `stored` was written with the current key (a rotation leaves such values alone). */
  isCurrent(stored: string): boolean;
}

/** A key as configured: base64 / base64url / hex text for 32 bytes, or the 32 bytes themselves. */
export type EncryptionKeyInput = string | Uint8Array;

/**
 * Reads a 32-byte key from text: 64 hex digits, or base64 / base64url of 32 bytes (e.g. the output of
 * `openssl rand -base64 32`). `source` names the variable or option in errors.
 */
export function parseEncryptionKey(input: EncryptionKeyInput | undefined, source: string = ENCRYPTION_KEY_ENV_VAR): Buffer {
  if (input === undefined || (typeof input === 'string' && input.trim() === '')) {
    throw new XeroConnectionEncryptionKeyError(
      'missing',
      source,
      `No encryption key: set ${source} to 32 random bytes in base64 or hex (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  if (typeof input !== 'string') {
    if (input.byteLength !== KEY_BYTES) {
      throw new XeroConnectionEncryptionKeyError('invalid', source, `The key in ${source} must be ${KEY_BYTES} bytes, not ${input.byteLength}`);
    }
    return Buffer.from(input);
  }
  const text = input.trim();
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) key = Buffer.from(text, 'base64');
  if (key === null || key.byteLength !== KEY_BYTES) {
    throw new XeroConnectionEncryptionKeyError(
      'invalid',
      source,
      `The key in ${source} must be ${KEY_BYTES} bytes as 64 hex digits or base64 (got ${key === null ? 'neither' : `${key.byteLength} bytes`})`,
    );
  }
  return key;
}

/** A short, non-secret identifier of a key, stored with each value so a key rotation can tell keys apart. */
function keyId(key: Buffer): string {
  return createHash('sha256').update('xero-connection key id\0').update(key).digest().subarray(0, 6).toString('base64url');
}

const b64 = (bytes: Buffer) => bytes.toString('base64url');

/**
 * AES-256-GCM for values at rest. Each value gets a random 12-byte IV and is stored as
 * `v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url parts). The version prefix leaves room for a
 * later format; the key id lets a rotation decrypt old values with `previousKeys` while new ones
 * are written with `key`.
 */
export function createTokenCipher(options: {
  key: EncryptionKeyInput | undefined;
  /** Keys that may still decrypt older values after a rotation; never used to encrypt. */
  previousKeys?: readonly EncryptionKeyInput[];
  /** Names the key's variable or option in errors. Default `XERO_CONNECTION_ENCRYPTION_KEY`. */
  source?: string;
}): TokenCipher {
  const source = options.source ?? ENCRYPTION_KEY_ENV_VAR;
  const current = parseEncryptionKey(options.key, source);
  const currentId = keyId(current);
  const keys = new Map<string, Buffer>([[currentId, current]]);
  for (const previous of options.previousKeys ?? []) {
    const parsed = parseEncryptionKey(previous, `${source} (previous key)`);
    const id = keyId(parsed);
    if (!keys.has(id)) keys.set(id, parsed);
  }

  return {
    encrypts: true,
    isCurrent: (stored) => stored.split(':')[1] === currentId,
    encrypt(plaintext, associatedData = '') {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, current, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [FORMAT, currentId, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join(':');
    },
    decrypt(stored, associatedData = '') {
      const parts = stored.split(':');
      const [format, id, ivText, tagText, ciphertextText] = parts;
      if (parts.length !== 5 || format !== FORMAT || id === undefined || ivText === undefined || tagText === undefined || ciphertextText === undefined) {
        throw new XeroConnectionDecryptionError('malformed', `A stored value is not in the ${FORMAT} encrypted format`);
      }
      const key = keys.get(id);
      if (key === undefined) {
        throw new XeroConnectionDecryptionError(
          'unknown_key',
          `A stored value was encrypted with another key (id ${id}) than ${source}: configure that key, or pass it as a previous key`,
        );
      }
      const iv = Buffer.from(ivText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      if (iv.byteLength !== IV_BYTES || tag.byteLength !== TAG_BYTES) {
        throw new XeroConnectionDecryptionError('malformed', 'A stored value has a wrong IV or tag length');
      }
      try {
        const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(associatedData, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(Buffer.from(ciphertextText, 'base64url')), decipher.final()]).toString('utf8');
      } catch (error) {
        throw new XeroConnectionDecryptionError('authentication_failed', 'A stored value failed authentication: it was altered or belongs elsewhere', {
          cause: error,
        });
      }
    },
  };
}

const PLAIN_PREFIX = 'plain:';

/** No encryption at all: the SQLite store's insecure demo mode only. Values are marked `plain:`. */
export function createPlaintextCipher(): TokenCipher {
  return {
    encrypts: false,
    isCurrent: (stored) => stored.startsWith(PLAIN_PREFIX),
    encrypt: (plaintext) => `${PLAIN_PREFIX}${plaintext}`,
    decrypt(stored) {
      if (!stored.startsWith(PLAIN_PREFIX)) {
        throw new XeroConnectionDecryptionError('unknown_key', 'A stored value is encrypted, but the store was opened without a key (insecure demo mode)');
      }
      return stored.slice(PLAIN_PREFIX.length);
    },
  };
}
