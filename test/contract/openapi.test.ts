import { readFileSync } from 'node:fs';

import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import type { ZodMiniType } from 'zod/mini';

import {
  callbackRequestSchema,
  chooseOrganisationRequestSchema,
  CONNECTION_STATUSES,
  CONTRACT_ACCEPT,
  connectRequestSchema,
  connectResponseSchema,
  connectionSchema,
  disconnectResponseSchema,
  ERROR_CODE_INFO,
  ERROR_CODES,
  problemSchema,
  routes,
  type RouteName,
} from '../../src/contract';
import { buildOpenApiDocument, VALIDATION_FAILED_STATUSES, type JsonObject } from '../../src/contract/openapi-document';
import { buildConnection, buildProblem, CONNECTION_FIXTURE_NAMES } from '../../src/testing/fixtures';

const document = buildOpenApiDocument();
const committedPath = new URL('../../contract/openapi.json', import.meta.url);


// ajv checks bodies against the document's own component schemas. `strict: false` lets it skip
// the OpenAPI-only keywords (`discriminator`, `x-error-codes`); formats are not validated because
// the `pattern`s zod emits next to them already hold the constraint (timestamps, http(s) URLs).
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
const COMPONENTS_URI = 'https://carevision.invalid/openapi.json';
ajv.addSchema({ $id: COMPONENTS_URI, components: document.components });

function openApiAccepts(schemaId: string, body: unknown): boolean {
  const validate = ajv.getSchema(`${COMPONENTS_URI}#/components/schemas/${schemaId}`);
  if (!validate) throw new Error(`no component schema ${schemaId}`);
  return validate(body) as boolean;
}

function zodAccepts(schema: ZodMiniType, body: unknown): boolean {
  return schema.safeParse(body).success;
}

describe('contract/openapi.json', () => {
  it('is what buildOpenApiDocument() generates', () => {
    const committed: unknown = JSON.parse(readFileSync(committedPath, 'utf8'));
    expect(committed, 'contract/openapi.json is out of date: run `npm run openapi` and commit the result').toEqual(
      JSON.parse(JSON.stringify(document)),
    );
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors, JSON.stringify(result.errors, null, 2)).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  // The OpenAPI validator checks the document's structure, not the JSON Schema inside it.
  it.each(Object.keys(document.components.schemas))('has a valid JSON Schema 2020-12 for %s', (id) => {
    const schema = document.components.schemas[id];
    expect(ajv.validateSchema(schema ?? {}), ajv.errorsText()).toBe(true);
    expect(ajv.getSchema(`${COMPONENTS_URI}#/components/schemas/${id}`)).toBeTypeOf('function');
  });
});

describe('the OpenAPI schemas say what the zod schemas enforce', () => {
  it.each(CONNECTION_FIXTURE_NAMES)('accepts the %s connection fixture', (name) => {
    expect(openApiAccepts('Connection', buildConnection(name))).toBe(true);
  });

  it.each(ERROR_CODES)('accepts the %s problem', (code) => {
    expect(openApiAccepts('Problem', buildProblem(code))).toBe(true);
    expect(openApiAccepts('Problem', buildProblem(code, { detail: 'more', instance: 'req-1', retryAfterSeconds: 3 }))).toBe(true);
  });

  it('accepts extra fields in response bodies, like the client does (forward compatibility)', () => {
    const connection = { ...buildConnection('connected'), addedInContract1_1: true };
    const problem = { ...buildProblem('INTERNAL'), traceId: 'abc' };
    expect([zodAccepts(connectionSchema, connection), openApiAccepts('Connection', connection)]).toEqual([true, true]);
    expect([zodAccepts(problemSchema, problem), openApiAccepts('Problem', problem)]).toEqual([true, true]);
  });

  const connected = buildConnection('connected');
  const withoutLastError: Record<string, unknown> = { ...connected };
  delete withoutLastError.lastError;
  const invalid: [what: string, schemaId: string, schema: ZodMiniType, body: unknown][] = [
    ['a connected connection without a tenant', 'Connection', connectionSchema, { ...connected, tenant: null }],
    ['an unknown status', 'Connection', connectionSchema, { ...connected, status: 'paused' }],
    ['a reason from another status', 'Connection', connectionSchema, { ...connected, status: 'needs_reauth', reason: 'never_connected' }],
    ['a missing nullable field', 'Connection', connectionSchema, withoutLastError],
    ['a timestamp without an offset', 'Connection', connectionSchema, { ...connected, checkedAt: '2026-11-26T09:30:00' }],
    ['a lifetime of 0 days', 'Connection', connectionSchema, { ...connected, refreshTokenLifetimeDays: 0 }],
    ['an unknown error code', 'Problem', problemSchema, { ...buildProblem('INTERNAL'), code: 'XERO_EXPLODED' }],
    ['a 200 problem', 'Problem', problemSchema, { ...buildProblem('INTERNAL'), status: 200 }],
    [
      'a ConnectRequest with an extra field',
      'ConnectRequest',
      connectRequestSchema,
      { returnTo: 'https://portal.example.com/settings', mode: 'connect', returnUrl: 'https://portal.example.com/' },
    ],
    ['a javascript: returnTo', 'ConnectRequest', connectRequestSchema, { returnTo: 'javascript:alert(1)', mode: 'connect' }],
    ['an empty expectedTenantId', 'ConnectRequest', connectRequestSchema, { returnTo: 'https://a.example/', mode: 'reauth', expectedTenantId: '' }],
    ['a CallbackRequest with an extra field', 'CallbackRequest', callbackRequestSchema, { code: 'c', state: 's', error: 'x' }],
    [
      'a data: authorizeUrl',
      'ConnectResponse',
      connectResponseSchema,
      { authorizeUrl: 'data:text/html,hi', state: 's', expiresAt: '2026-11-26T09:45:00Z' },
    ],
    ['a DisconnectResponse that is not disconnected', 'DisconnectResponse', disconnectResponseSchema, { status: 'connected', remoteRemoved: true }],
    [
      'a choosing_organisation connection offering no organisation',
      'Connection',
      connectionSchema,
      { ...buildConnection('choosingOrganisation'), organisations: [] },
    ],
    ['a choosing_organisation connection with a needs_reauth reason', 'Connection', connectionSchema, { ...buildConnection('choosingOrganisation'), reason: 'refresh_token_expired' }],
    [
      'a keepAlive without failing',
      'Connection',
      connectionSchema,
      { ...connected, keepAlive: { enabled: true, lastRefreshedAt: null, nextRefreshAt: null } },
    ],
    ['a ChooseOrganisationRequest with an extra field', 'ChooseOrganisationRequest', chooseOrganisationRequestSchema, { tenantId: 't', connectionId: 'c' }],
    ['an empty tenantId to choose', 'ChooseOrganisationRequest', chooseOrganisationRequestSchema, { tenantId: '' }],
  ];

  it.each(invalid)('rejects %s, in zod and in the document', (_what, schemaId, schema, body) => {
    expect({ zod: zodAccepts(schema, body), openApi: openApiAccepts(schemaId, body) }).toEqual({ zod: false, openApi: false });
  });
});

type Operation = JsonObject & { responses: Record<string, JsonObject> };

function operationOf(method: string, path: string): Operation | undefined {
  return document.paths[path]?.[method.toLowerCase()] as Operation | undefined;
}

function examplesOf(content: JsonObject | undefined): unknown[] {
  const examples = (content?.examples ?? {}) as Record<string, { value: unknown }>;
  return Object.values(examples).map((example) => example.value);
}

describe('the paths follow the route table', () => {
  const names = Object.keys(routes) as RouteName[];

  it.each(names)('%s is in the document with its method, body and answer', (name) => {
    const route = routes[name];
    const op = operationOf(route.method, route.path);
    expect(op, `${route.method} ${route.path}`).toBeDefined();
    expect(op?.operationId).toBe(name);
    expect(op?.summary).toBe(route.summary);
    expect(Object.keys(op?.responses ?? {})).toEqual(expect.arrayContaining(['200', 'default']));
    expect(op?.requestBody === undefined).toBe(route.body === null);
    expect(op?.parameters === undefined).toBe(route.method === 'GET');
  });

  it.each(names)('%s has examples that its zod schemas accept', (name) => {
    const route = routes[name];
    const op = operationOf(route.method, route.path);
    const answers = examplesOf((op?.responses['200']?.content as Record<string, JsonObject>)['application/json']);
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) expect(route.response.parse(answer)).toEqual(answer);
    if (route.body !== null) {
      const requests = examplesOf((op?.requestBody as { content: Record<string, JsonObject> } | undefined)?.content['application/json']);
      expect(requests.length).toBeGreaterThan(0);
      for (const request of requests) expect(route.body.parse(request)).toEqual(request);
    }
    for (const [status, response] of Object.entries(op?.responses ?? {})) {
      if (status === '200' || status === 'default') continue;
      const problems = examplesOf((response.content as Record<string, JsonObject>)['application/problem+json']);
      for (const problem of problems) {
        const parsed = problemSchema.parse(problem);
        expect(String(parsed.status)).toBe(status);
        // A code at its own status, or VALIDATION_FAILED at one of the statuses that name a protocol problem.
        if (ERROR_CODE_INFO[parsed.code].status !== parsed.status) {
          expect({ code: parsed.code, status: parsed.status }).toEqual({ code: 'VALIDATION_FAILED', status: expect.toBeOneOf([...VALIDATION_FAILED_STATUSES]) });
        }
      }
    }
  });

  it('maps every connection status in the Connection discriminator, choosing_organisation included', () => {
    const mapping = (document.components.schemas.Connection?.discriminator as { mapping: Record<string, string> } | undefined)?.mapping;
    expect(Object.keys(mapping ?? {}).sort()).toEqual([...CONNECTION_STATUSES].sort());
  });

  it('tells backends how clients announce contract 1.1 (Accept) and what a 1.0 client gets instead', () => {
    const description = String((document.info as { description?: string } | undefined)?.description);
    expect(description).toContain(CONTRACT_ACCEPT);
    expect(description).toMatch(/1\.0 client.*never sent.*choosing_organisation/s);
    expect(String(operationOf('POST', '/connect')?.description)).toMatch(/Accept/);
  });

  it('describes Xero’s redirect to GET /callback as a 302 back to returnTo', () => {
    const op = operationOf('GET', '/callback');
    expect(op?.responses['302']).toBeDefined();
    const params = (op?.parameters as { name: string; in: string }[]).map((param) => `${param.in}:${param.name}`);
    expect(params).toEqual(['query:code', 'query:state', 'query:error']);
  });

  it('has no operation the route table does not know, besides GET /callback', () => {
    const listed = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const expected = [...names.map((name) => `${routes[name].method} ${routes[name].path}`), 'GET /callback'];
    expect(listed.sort()).toEqual(expected.sort());
  });
});
