import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// ./server is Node only and sits beside the browser entries, never under them: these prove the
// lint rules keep React out of it and keep it out of the browser layers.

let eslint: ESLint;

beforeAll(async () => {
  eslint = new ESLint({ cwd: process.cwd() });
  await eslint.lintText('export {};\n', { filePath: 'src/server/x.ts' });
}, 60_000);

async function restrictedImports(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  if (!result) throw new Error(`ESLint returned no result for ${filePath}`);
  return result.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('the server layer rule', () => {
  it.each([
    ["import { useState } from 'react';\nexport const x = useState;\n", 'must not import React'],
    ["import { Root } from '@radix-ui/react-alert-dialog';\nexport const x = Root;\n", 'UI libraries'],
    ["import { http } from 'msw';\nexport const x = http;\n", 'must not import msw'],
    ["import { scenarios } from '../testing/scenarios';\nexport const x = scenarios;\n", 'contract and the client only'],
  ])('reports %j in src/server', async (code, message) => {
    expect(await restrictedImports(code, 'src/server/x.ts')).toEqual([expect.stringContaining(message)]);
  });

  it('allows the contract, the client helpers, oauth4webapi and node: modules', async () => {
    const code = [
      "import { routes } from '../contract';",
      "import { withConnectOutcome } from '../client/connect-return';",
      "import * as oauth from 'oauth4webapi';",
      "import { createServer } from 'node:http';",
      'export const all = [routes, withConnectOutcome, oauth, createServer];',
      '',
    ].join('\n');
    expect(await restrictedImports(code, 'src/server/x.ts')).toEqual([]);
  });

  it.each(['src/client/x.ts', 'src/testing/x.ts'])('reports an import of server code in %s', async (filePath) => {
    expect(await restrictedImports("import { x } from '../server/index';\nexport const y = x;\n", filePath)).toHaveLength(1);
  });
});
