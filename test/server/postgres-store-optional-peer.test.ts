import { describe, expect, it, vi } from 'vitest';

// pg is an optional peer: here it is "not installed" (importing it throws).
vi.mock('pg', () => {
  throw new Error("Cannot find package 'pg'");
});

describe('without pg installed', () => {
  it('./server still loads and the memory store works (pg is only loaded for a connection string)', async () => {
    const server = await import('../../src/server');
    const store = server.createMemoryConnectionStore();
    await expect(store.getConnection({ integrationKey: 'i', accountId: 'a' })).resolves.toBeNull();
  });

  it('createPostgresConnectionStore({ connectionString }) says which package to install', async () => {
    const { createPostgresConnectionStore } = await import('../../src/server');
    await expect(
      createPostgresConnectionStore({ connectionString: 'postgres://127.0.0.1:1/none', encryptionKey: 'ab'.repeat(32) }),
    ).rejects.toThrow(/optional peer dependency pg \(8\.x\): npm install pg@\^8/);
  });
});
