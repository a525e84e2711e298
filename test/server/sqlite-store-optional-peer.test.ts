import { describe, expect, it, vi } from 'vitest';

// better-sqlite3 is an optional peer: here it is "not installed" (importing it throws).
vi.mock('better-sqlite3', () => {
  throw new Error("Cannot find package 'better-sqlite3'");
});

describe('without better-sqlite3 installed', () => {
  it('./server still loads and the memory store works (the native module is loaded lazily)', async () => {
    const server = await import('../../src/server');
    const store = server.createMemoryConnectionStore();
    await expect(store.getConnection({ integrationKey: 'i', accountId: 'a' })).resolves.toBeNull();
  });

  it('createSqliteConnectionStore says which package to install', async () => {
    const { createSqliteConnectionStore } = await import('../../src/server');
    await expect(createSqliteConnectionStore({ filename: ':memory:', encryptionKey: 'ab'.repeat(32) })).rejects.toThrow(
      /optional peer dependency better-sqlite3 \(12\.x\): npm install better-sqlite3@\^12/,
    );
  });
});
