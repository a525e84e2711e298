import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// `./testing` runs in hosts' plain Node tests: the project's ESLint config keeps React, UI
// libraries and the upper layers out of src/testing.

let eslint: ESLint;

beforeAll(async () => {
  eslint = new ESLint({ cwd: process.cwd() });
  await eslint.lintText('export {};\n', { filePath: 'src/testing/x.ts' });
}, 60_000);

async function restrictedImports(code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: 'src/testing/x.ts' });
  if (!result) throw new Error('ESLint returned no result');
  return result.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('the layer rule for src/testing', () => {
  it.each([
    ["import { useState } from 'react';\n\nexport const hook = useState;\n", 'testing must not import React'],
    ["import { useQuery } from '@tanstack/react-query';\n\nexport const hook = useQuery;\n", 'must not import @tanstack'],
    ["import { Root } from '@radix-ui/react-alert-dialog';\n\nexport const Dialog = Root;\n", 'must not import UI libraries'],
    ["import { useXeroConnection } from '../react/use-xero-connection';\n\nexport const hook = useXeroConnection;\n", 'builds on the contract only'],
    ["import { setupServer } from 'msw/node';\n\nexport const server = setupServer();\n", 'exports handlers only'],
  ])('reports %j', async (code, message) => {
    expect(await restrictedImports(code)).toEqual([expect.stringContaining(message)]);
  });

  it('accepts msw and the contract', async () => {
    expect(await restrictedImports("import { http } from 'msw';\nimport { routes } from '../contract';\n\nexport const all = [http, routes];\n")).toEqual([]);
  });
});
