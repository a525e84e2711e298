// Writes the contract's OpenAPI document to contract/openapi.json (`npm run openapi`).
// test/contract/openapi.test.ts fails when the committed file differs from what this writes.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildOpenApiDocument } from '../src/contract/openapi-document';

const target = fileURLToPath(new URL('../contract/openapi.json', import.meta.url));

mkdirSync(dirname(target), { recursive: true });
// Two-space indentation and a trailing newline: the same bytes every run, friendly to diffs.
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`Wrote ${relative(process.cwd(), target)}`);
