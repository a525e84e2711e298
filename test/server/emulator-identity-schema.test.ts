import { readFileSync } from 'node:fs';

import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv, type AnySchemaObject } from 'ajv';
import { afterEach, describe, expect, it } from 'vitest';

import { startXeroEmulator, type XeroEmulator } from '../../src/server/emulator/xero-emulator';
import { MINUTE_MS, REDIRECT_URI } from './support';

// The emulator's GET /connections against Xero's published schema: Xero-OpenAPI's
// xero-identity.yaml, vendored in fixtures/ (see fixtures/README.md for its source and licence).
// The YAML is read by @seriousme/openapi-schema-validator (already a devDependency), which also
// checks it is a valid OpenAPI document; ajv checks the answers against its Connection schema.

const SUNRISE = '3f1b6b3e-6a3e-4c1e-9f4e-0c6f2f1d2a10';
const PRACTICE_MANAGER = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

interface OpenApiDocument {
  paths: Record<string, { get?: { responses: Record<string, { content: Record<string, { schema: AnySchemaObject; example: string }> }> } }>;
  components: { schemas: { Connection: AnySchemaObject & { properties: Record<string, AnySchemaObject> } } };
}

async function identitySpec(): Promise<OpenApiDocument> {
  const validator = new Validator();
  const result = await validator.validate(readFileSync(new URL('fixtures/xero-identity.yaml', import.meta.url), 'utf8'));
  if (!result.valid) throw new Error(`xero-identity.yaml is not a valid OpenAPI document: ${JSON.stringify(result.errors)}`);
  return validator.resolveRefs() as unknown as OpenApiDocument;
}

// Formats as Xero writes them. Its date-times carry no offset (the spec's own example:
// `2019-12-07T18:46:19.5165400`), which RFC 3339's date-time would refuse; the example below is
// checked with the same rule, so the rule is Xero's and not the emulator's.
function ajv(): Ajv {
  const instance = new Ajv({ strict: false, allErrors: true });
  instance.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  instance.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?$/);
  return instance;
}

const open: XeroEmulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((emulator) => emulator.close()));
});

async function listed(path: string): Promise<{ emulator: XeroEmulator; status: number; body: unknown }> {
  const emulator = await startXeroEmulator({
    redirectUris: [REDIRECT_URI],
    organisations: [
      { tenantId: SUNRISE, tenantName: 'Sunrise Care Group', tenantType: 'ORGANISATION' },
      { tenantId: PRACTICE_MANAGER, tenantName: null, tenantType: 'PRACTICEMANAGER' },
    ],
    now: new Date('2026-11-26T09:30:00Z'),
    frozenClock: true,
  });
  open.push(emulator);
  const tokens = await emulator.authorizeDirectly({ tenantIds: [SUNRISE, PRACTICE_MANAGER] });
  const answer = await fetch(`${emulator.url}${path}`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  return { emulator, status: answer.status, body: await answer.json() };
}

describe("GET /connections against Xero's xero-identity.yaml", () => {
  it('lists an ORGANISATION exactly as the published Connection schema says, at the path as Xero spells it', async () => {
    const spec = await identitySpec();
    const operation = spec.paths['/Connections']?.get?.responses['200']?.content['application/json'];
    if (operation === undefined) throw new Error('no GET /Connections 200 in the spec');
    const validate = ajv().compile(operation.schema);
    // The rule for formats is Xero's own: its example passes it.
    expect(validate(JSON.parse(operation.example)), JSON.stringify(validate.errors)).toBe(true);

    const { status, body } = await listed('/Connections');
    expect(status).toBe(200);
    const organisation = (body as Record<string, unknown>[]).filter((entry) => entry.tenantType === 'ORGANISATION');
    expect(organisation).toHaveLength(1);
    expect(validate(organisation), JSON.stringify(validate.errors)).toBe(true);
    // Every property the schema names, and nothing it does not.
    expect(Object.keys(organisation[0] ?? {}).sort()).toEqual(Object.keys(spec.components.schemas.Connection.properties).sort());
    expect(organisation[0]).toMatchObject({ createdDateUtc: '2026-11-26T09:30:00.0000000', updatedDateUtc: '2026-11-26T09:30:00.0000000' });
  });

  it('lists a PRACTICEMANAGER with tenantName null: the only place it departs from the published schema', async () => {
    const spec = await identitySpec();
    const { emulator, body } = await listed('/connections');
    const practiceManager = (body as Record<string, unknown>[]).find((entry) => entry.tenantType === 'PRACTICEMANAGER');
    expect(practiceManager).toMatchObject({ tenantId: PRACTICE_MANAGER, tenantName: null });

    const published = ajv().compile(spec.components.schemas.Connection);
    expect(published(practiceManager)).toBe(false);
    expect(published.errors?.map((error) => error.instancePath)).toEqual(['/tenantName']);
    // The schema says `type: string`; Xero's documentation (XERO.md) lists PRACTICEMANAGER tenants
    // with tenantName null. With only that made nullable, the entry is valid.
    const { Connection } = spec.components.schemas;
    const nullableName = { ...Connection, properties: { ...Connection.properties, tenantName: { ...Connection.properties.tenantName, nullable: true } } };
    const validate = ajv().compile(nullableName);
    expect(validate(practiceManager), JSON.stringify(validate.errors)).toBe(true);
    // The emulator keeps the same entries for tests.
    expect(emulator.connections().map((entry) => entry.tenantName)).toEqual(['Sunrise Care Group', null]);
  });

  it('filters by authEventId, a UUID that is the access token\'s authentication_event_id claim', async () => {
    const { emulator, body } = await listed('/connections');
    const entries = body as { authEventId: string }[];
    const authEventId = entries[0]?.authEventId ?? '';
    expect(authEventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(entries.every((entry) => entry.authEventId === authEventId)).toBe(true);
    const tokens = await emulator.authorizeDirectly({ tenantIds: [SUNRISE] });
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const second = claims.authentication_event_id as string;
    expect(second).not.toBe(authEventId);
    const filtered = await fetch(`${emulator.url}/Connections?authEventId=${second}`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(((await filtered.json()) as { tenantId: string; authEventId: string }[]).map((entry) => [entry.tenantId, entry.authEventId])).toEqual([[SUNRISE, second]]);
  });

  it('answers 401 with Xero\'s body for an expired token, and DELETE /Connections/{id} in any case', async () => {
    const { emulator } = await listed('/connections');
    const tokens = await emulator.authorizeDirectly({ tenantIds: [SUNRISE] });
    const headers = { authorization: `Bearer ${tokens.access_token}` };
    const id = emulator.connections()[0]?.id ?? '';
    const deleted = await fetch(`${emulator.url}/CONNECTIONS/${id.toUpperCase()}`, { method: 'DELETE', headers });
    expect(deleted.status).toBe(204);
    expect((await fetch(`${emulator.url}/Connections/${id}`, { method: 'DELETE', headers })).status).toBe(404);
    emulator.advance(30 * MINUTE_MS);
    const expired = await fetch(`${emulator.url}/Connections`, { headers });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ Type: null, Title: 'Unauthorized', Status: 401, Detail: expect.stringMatching(/^TokenExpired: token expired at /) });
  });
});
