import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, describe, expect, it } from 'vitest';

import { buildOpenApiDocument } from '../../src/contract/openapi-document';

// The document as the tools backend authors reach for read it: Redocly's linter with its
// recommended rules, and swagger-parser's validator (which also resolves every $ref).
// test/contract/generated-client.test.ts covers openapi-typescript + openapi-fetch.

const REDOCLY = fileURLToPath(new URL('../../node_modules/.bin/redocly', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'xero-connection-openapi-lint-'));
const file = join(directory, 'openapi.json');
writeFileSync(file, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface RedoclyReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer?: string }[] }[];
}

describe('contract/openapi.json in third-party tools', () => {
  it('passes `redocly lint` with the recommended rules: no error, no warning', async () => {
    // No telemetry, no update check, no notices: this runs offline and must stay quiet.
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true' };
    const run = await promisify(execFile)(REDOCLY, ['lint', file, '--extends=recommended', '--format=json'], { env, cwd: directory }).catch(
      (error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
    );
    const report = JSON.parse(run.stdout) as RedoclyReport;
    const problems = report.problems.map((problem) => `${problem.severity} ${problem.ruleId} at ${problem.location[0]?.pointer ?? '?'}: ${problem.message}`);
    expect(problems).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
  }, 60_000);

  it('passes @apidevtools/swagger-parser validate', async () => {
    // validate() dereferences the object it is given: hand it a copy.
    const api = await SwaggerParser.validate(structuredClone(buildOpenApiDocument()) as never);
    expect(api).toMatchObject({ openapi: '3.1.0' });
  });

  it('declares the host’s own session as the security of every operation', () => {
    const document = buildOpenApiDocument();
    const schemes = (document.components.securitySchemes ?? {}) as Record<string, { description?: string }>;
    expect(Object.keys(schemes).sort()).toEqual(['hostBearer', 'hostSession']);
    for (const scheme of Object.values(schemes)) expect(scheme.description).toMatch(/host portal authenticates/);
    expect(document.security).toEqual([{ hostSession: [] }, { hostBearer: [] }]);
    // No operation opts out (an empty `security: []` would make it public).
    for (const item of Object.values(document.paths)) for (const operation of Object.values(item)) expect(operation).not.toHaveProperty('security');
  });
});
