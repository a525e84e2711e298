import { afterEach, describe, expect, it } from 'vitest';

import { readConnectReturn } from '../../src/client';
import { startXeroEmulator, type EmulatedOrganisation, type XeroEmulator } from '../../src/server/emulator/xero-emulator';
import { REDIRECT_URI, setup } from './support';

// Xero's GET /connections lists more than organisations: practices, Practice Manager tenants
// (with `tenantName: null`) and kinds added later. Only organisations serve the Accounting and
// Payroll APIs, so only they can be linked; the rest must be ignored, never fail the list (which
// once made every callback, verify and disconnect answer XERO_UNAVAILABLE).

const ORGANISATION: EmulatedOrganisation = { tenantId: '3f1b6b3e-6a3e-4c1e-9f4e-0c6f2f1d2a10', tenantName: 'Sunrise Care Group', tenantType: 'ORGANISATION' };
const PRACTICE_MANAGER: EmulatedOrganisation = { tenantId: '5d0c8f52-1b7e-4f0a-9a43-7c2f3e0b9d11', tenantName: null, tenantType: 'PRACTICEMANAGER' };
const PRACTICE: EmulatedOrganisation = { tenantId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', tenantName: 'Ledger & Co', tenantType: 'PRACTICE' };
const FUTURE_KIND: EmulatedOrganisation = { tenantId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f', tenantName: 'Something new', tenantType: 'WORKFLOWMAX' };

const open: XeroEmulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((emulator) => emulator.close()));
});

async function harnessWith(organisations: readonly EmulatedOrganisation[]) {
  const emulator = await startXeroEmulator({ redirectUris: [REDIRECT_URI], organisations, now: new Date('2026-11-26T09:30:00Z'), frozenClock: true });
  open.push(emulator);
  return setup({}, emulator);
}

describe('tenants that are not organisations', () => {
  it('links the one organisation of a consent that also covered a Practice Manager, a practice and an unknown kind', async () => {
    const harness = await harnessWith([ORGANISATION, PRACTICE_MANAGER, PRACTICE, FUTURE_KIND]);
    const back = await harness.connectThroughXero({ tenantIds: [ORGANISATION, PRACTICE_MANAGER, PRACTICE, FUTURE_KIND].map((tenant) => tenant.tenantId) });
    expect(readConnectReturn(back.headers.get('location') ?? '')?.outcome).toEqual({ kind: 'connected' });
    // One organisation: nothing to choose, the others are never offered.
    await expect(harness.client().getConnection()).resolves.toMatchObject({ status: 'connected', tenant: { tenantId: ORGANISATION.tenantId, tenantType: 'ORGANISATION' } });
  });

  it('verifies and disconnects while Xero lists a Practice Manager tenant without a name', async () => {
    const harness = await harnessWith([ORGANISATION, PRACTICE_MANAGER]);
    await harness.connectThroughXero({ tenantIds: [ORGANISATION.tenantId, PRACTICE_MANAGER.tenantId] });
    await expect(harness.client().verify()).resolves.toMatchObject({ status: 'connected', tenant: { tenantName: 'Sunrise Care Group' } });
    await expect(harness.client().disconnect()).resolves.toMatchObject({ status: 'disconnected', remoteRemoved: true });
    // The grant still reaches the Practice Manager tenant: it is not revoked under it.
    expect(harness.emulator.connections().map((connection) => connection.tenantType)).toEqual(['PRACTICEMANAGER']);
  });

  it('answers XERO_TENANT_NOT_FOUND when a consent covered no organisation at all', async () => {
    const harness = await harnessWith([PRACTICE_MANAGER, PRACTICE]);
    const back = await harness.connectThroughXero({ tenantIds: [PRACTICE_MANAGER.tenantId, PRACTICE.tenantId] });
    expect(readConnectReturn(back.headers.get('location') ?? '')?.outcome).toEqual({ kind: 'failed', code: 'XERO_TENANT_NOT_FOUND' });
  });

  it('finds the organisation when Xero spells the path /Connections, as its published schema does', async () => {
    const harness = await harnessWith([ORGANISATION]);
    const upper = `${harness.emulator.url}/Connections`;
    const handler = await setup({ endpoints: { ...harness.emulator.endpoints, connectionsUrl: upper } }, harness.emulator);
    await handler.connectThroughXero();
    await expect(handler.client().verify()).resolves.toMatchObject({ status: 'connected', tenant: { tenantId: ORGANISATION.tenantId } });
  });
});
