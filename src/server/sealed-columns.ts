import type { ConnectionKey, ConnectionStoreLimits, StoredTokens } from './connection-store';
import {
  createPlaintextCipher,
  createTokenCipher,
  ENCRYPTION_KEY_ENV_VAR,
  type EncryptionKeyInput,
  type TokenCipher,
  XeroConnectionDecryptionError,
  XeroConnectionEncryptionKeyError,
} from './token-cipher';

// What the SQL stores (SQLite, PostgreSQL) share: how a store's key option becomes a cipher, and
// how tokens and verifiers are sealed into columns. One definition, so a row written by one store
// reads back in the other (same associated data), and both refuse to run without a key alike.

/** The options every SQL store (SQLite, PostgreSQL) takes: its limits, and how it encrypts tokens. */
export interface SqlStoreOptions extends ConnectionStoreLimits {
  /**
   * 32 bytes as 64 hex digits or base64 (`openssl rand -base64 32`), or the bytes themselves.
   * Default: the `XERO_CONNECTION_ENCRYPTION_KEY` environment variable. Without a key the store
   * refuses to open, unless `insecureDemoMode` is set.
   */
  encryptionKey?: EncryptionKeyInput | undefined;
  /** Older keys that may still decrypt stored values after a key rotation (new values use `encryptionKey`). */
  previousEncryptionKeys?: readonly EncryptionKeyInput[] | undefined;
  /**
   * For the demo only: when no key is configured, store tokens UNENCRYPTED instead of refusing to
   * open. Never set it where real Xero tokens are stored. Ignored when a key is configured.
   */
  insecureDemoMode?: boolean | undefined;
}

/** The encryption part of {@link SqlStoreOptions}. */
export type StoreEncryptionOptions = Pick<SqlStoreOptions, 'encryptionKey' | 'previousEncryptionKeys' | 'insecureDemoMode'>;

/**
 * The store's cipher: from the `encryptionKey` option or the environment; without either, a
 * refusal naming what to set, unless the demo asked for plaintext (which is then said aloud).
 */
export function storeCipher(storeName: string, options: StoreEncryptionOptions): TokenCipher {
  const key = options.encryptionKey ?? process.env[ENCRYPTION_KEY_ENV_VAR];
  const source = options.encryptionKey === undefined ? ENCRYPTION_KEY_ENV_VAR : 'the encryptionKey option';
  const missing = key === undefined || (typeof key === 'string' && key.trim() === '');
  if (missing && options.insecureDemoMode === true) {
    console.warn(`[xero-connection] ${storeName} store in insecure demo mode: Xero tokens are stored UNENCRYPTED. Never use this outside the demo.`);
    return createPlaintextCipher();
  }
  if (missing) {
    throw new XeroConnectionEncryptionKeyError(
      'missing',
      source,
      `The ${storeName} connection store refuses to open without an encryption key: set ${ENCRYPTION_KEY_ENV_VAR} to 32 random bytes in base64 or hex (e.g. \`openssl rand -base64 32\`). Only the demo may pass { insecureDemoMode: true }.`,
    );
  }
  return createTokenCipher({ key, previousKeys: options.previousEncryptionKeys, source });
}

// Associated data binds each sealed value to its row and column: a value copied into another row
// or column fails to decrypt instead of being used as someone else's token.
const connectionAad = (key: ConnectionKey, column: string) => JSON.stringify(['connection', key.integrationKey, key.accountId, column]);
const sessionAad = (state: string) => JSON.stringify(['connect_session', state, 'code_verifier']);

/** The token columns of a connection row, sealed. */
export interface SealedTokenColumns {
  access_token: string | null;
  access_token_expires_at: string | null;
  refresh_token: string | null;
  /** {@link StoredTokens.previousRefreshToken}, sealed like `refresh_token` (schema version 5); `null` when none is kept. */
  previous_refresh_token: string | null;
  /** {@link StoredTokens.previousRefreshTokenSpentAt}, in clear (a time, not a secret); `null` when none is kept. */
  previous_refresh_token_spent_at: string | null;
}

/** A connection row as both stores read it: the record without tokens as JSON text, and the sealed tokens. */
export interface ConnectionRow extends SealedTokenColumns {
  data: string;
}

/** A connect session row: the session without its verifier as JSON text, and the sealed verifier. */
export interface SessionRow {
  data: string;
  code_verifier: string;
}

/** Seals a connection's tokens into its columns (all `null` when it has none). */
export function sealTokens(cipher: TokenCipher, key: ConnectionKey, tokens: StoredTokens | null): SealedTokenColumns {
  // A kept token without its spending time (or the reverse) is kept as neither: the retry needs both.
  const previous = tokens?.previousRefreshToken !== undefined && tokens.previousRefreshTokenSpentAt !== undefined ? tokens : null;
  return {
    access_token: tokens === null ? null : cipher.encrypt(tokens.accessToken, connectionAad(key, 'access_token')),
    access_token_expires_at: tokens?.accessTokenExpiresAt ?? null,
    refresh_token: tokens === null ? null : cipher.encrypt(tokens.refreshToken, connectionAad(key, 'refresh_token')),
    previous_refresh_token: previous?.previousRefreshToken === undefined ? null : cipher.encrypt(previous.previousRefreshToken, connectionAad(key, 'previous_refresh_token')),
    previous_refresh_token_spent_at: previous?.previousRefreshTokenSpentAt ?? null,
  };
}

/** Opens a connection row's token columns. */
export function openTokens(cipher: TokenCipher, key: ConnectionKey, row: SealedTokenColumns): StoredTokens | null {
  if (row.access_token === null || row.refresh_token === null || row.access_token_expires_at === null) return null;
  const tokens: StoredTokens = {
    accessToken: cipher.decrypt(row.access_token, connectionAad(key, 'access_token')),
    accessTokenExpiresAt: row.access_token_expires_at,
    refreshToken: cipher.decrypt(row.refresh_token, connectionAad(key, 'refresh_token')),
  };
  // Rows written before schema version 5, or by an older instance during a rolling deploy, keep none.
  if (row.previous_refresh_token === null || row.previous_refresh_token_spent_at === null) return tokens;
  return {
    ...tokens,
    previousRefreshToken: cipher.decrypt(row.previous_refresh_token, connectionAad(key, 'previous_refresh_token')),
    previousRefreshTokenSpentAt: row.previous_refresh_token_spent_at,
  };
}

/** Seals a connect session's PKCE verifier. */
export function sealVerifier(cipher: TokenCipher, state: string, codeVerifier: string): string {
  return cipher.encrypt(codeVerifier, sessionAad(state));
}

/** Opens a connect session's PKCE verifier. */
export function openVerifier(cipher: TokenCipher, state: string, sealed: string): string {
  return cipher.decrypt(sealed, sessionAad(state));
}

/** What a key rotation did to one table: values moved to the current key, values already on it, values no configured key opens. */
export interface ReencryptCount {
  reencrypted: number;
  current: number;
  /** Rows whose values no configured key decrypts (a key missing from `previousEncryptionKeys`): left as they are. */
  unreadable: number;
}

/** What {@link reencryptRows} needs of one row: its sealed values, how to open and seal them, and how to write them back only if unchanged. */
export interface ReencryptRow {
  /** The sealed values (`null` for an empty column), each with its associated data. */
  values: readonly { sealed: string | null; associatedData: string }[];
  /** Writes the resealed values, in the order of `values`, only if the row still holds the old ones: a row rewritten meanwhile (a refresh) is current already. */
  writeIfUnchanged(after: readonly (string | null)[]): Promise<void>;
}

/**
 * Re-encrypts rows whose values were written with a previous key, under the current one. Rows
 * already current are left alone, unreadable ones counted and left too; each write is a
 * compare-and-set on the old sealed values, so a concurrent refresh is never overwritten.
 */
export async function reencryptRows(cipher: TokenCipher, rows: Iterable<ReencryptRow> | AsyncIterable<ReencryptRow>): Promise<ReencryptCount> {
  const count: ReencryptCount = { reencrypted: 0, current: 0, unreadable: 0 };
  for await (const row of rows) {
    if (row.values.every(({ sealed }) => sealed === null || cipher.isCurrent(sealed))) {
      count.current += 1;
      continue;
    }
    let after: (string | null)[];
    try {
      after = row.values.map(({ sealed, associatedData }) => (sealed === null ? null : cipher.encrypt(cipher.decrypt(sealed, associatedData), associatedData)));
    } catch (error) {
      if (!(error instanceof XeroConnectionDecryptionError)) throw error;
      count.unreadable += 1;
      continue;
    }
    await row.writeIfUnchanged(after);
    count.reencrypted += 1;
  }
  return count;
}

/** The associated data of a connection row's three sealed columns, in column order (access, refresh, previous refresh). */
export function connectionColumnsAad(key: ConnectionKey): [string, string, string] {
  return [connectionAad(key, 'access_token'), connectionAad(key, 'refresh_token'), connectionAad(key, 'previous_refresh_token')];
}

/** The associated data of a connect session's sealed verifier. */
export function sessionColumnAad(state: string): string {
  return sessionAad(state);
}

/** What `reencrypt()` of the SQL stores did. */
export interface ReencryptSummary {
  connections: ReencryptCount;
  connectSessions: ReencryptCount;
}
