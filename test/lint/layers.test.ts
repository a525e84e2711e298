import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// The layers point one way (components → react → client → contract). ESLint's layer rule is
// what keeps React out of the bottom two; these tests prove the rule fires where it should and
// only there, using the project's own eslint.config.js.

let eslint: ESLint;

// Loading the config and the TypeScript parser takes seconds on a busy machine: do it once, here.
beforeAll(async () => {
  eslint = new ESLint({ cwd: process.cwd() });
  await eslint.lintText('export {};\n', { filePath: 'src/client/x.ts' });
}, 60_000);

async function restrictedImports(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  if (!result) throw new Error(`ESLint returned no result for ${filePath}`);
  const fatal = result.messages.filter((message) => message.fatal);
  expect(fatal, 'the snippet parses').toEqual([]);
  return result.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

const REACT_HOOK = "import { useState } from 'react';\n\nexport function useFlag(): boolean {\n  return useState(false)[0];\n}\n";
const REACT_QUERY = "import { useQuery } from '@tanstack/react-query';\n\nexport const hook = useQuery;\n";
const RADIX = "import { Root } from '@radix-ui/react-alert-dialog';\n\nexport const Dialog = Root;\n";
const UPWARD = "import { something } from '../react/provider';\n\nexport const value = something;\n";

describe('the layer rule', () => {
  it.each(['src/client/x.ts', 'src/contract/x.ts'])('reports a React import in %s', async (filePath) => {
    expect(await restrictedImports(REACT_HOOK, filePath)).toEqual([expect.stringContaining('contract and client must not import React.')]);
  });

  it.each(['src/client/x.ts', 'src/contract/x.ts'])('reports an @tanstack/react-query import in %s', async (filePath) => {
    expect(await restrictedImports(REACT_QUERY, filePath)).toEqual([expect.stringContaining('contract and client must not import @tanstack.')]);
  });

  it('reports react-dom/client and UI libraries in src/client', async () => {
    expect(await restrictedImports("export { createRoot } from 'react-dom/client';\n", 'src/client/x.ts')).toHaveLength(1);
    expect(await restrictedImports(RADIX, 'src/client/x.ts')).toEqual([expect.stringContaining('must not import UI libraries')]);
  });

  it('reports an import that points up the layers from src/client', async () => {
    expect(await restrictedImports(UPWARD, 'src/client/x.ts')).toEqual([expect.stringContaining('imports point down the layers only.')]);
  });

  it('accepts the contract import the client really makes', async () => {
    expect(await restrictedImports("import { routes } from '../contract';\n\nexport const all = routes;\n", 'src/client/x.ts')).toEqual([]);
  });

  it.each([
    ['React', REACT_HOOK],
    ['@tanstack/react-query', REACT_QUERY],
  ])('accepts the same %s import in src/react/x.ts', async (_name, code) => {
    const [result] = await eslint.lintText(code, { filePath: 'src/react/x.ts' });

    expect(result?.messages).toEqual([]);
  });
});
