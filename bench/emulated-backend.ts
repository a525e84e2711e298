// What the Node-only benches share: the emulator on a frozen clock, a reference handler from the
// BUILT package (dist/server.js) on it, whose waits move the emulator's clock, and connecting
// portal accounts through the emulator's consent page.
import type * as ServerModule from '../dist/server.js';
import type { XeroConnectionHandlerWithKeepAlive } from '../dist/server.js';
import { startXeroEmulator, type ApproveOptions, type XeroEmulator } from '../src/server/emulator/xero-emulator';

export type Server = typeof ServerModule;
// With keep-alive's methods: the benches that run keep-alive pass `keepAlive` in `options`, which
// the handler's overloads cannot see through a Partial.
export type Handler = XeroConnectionHandlerWithKeepAlive;
type HandlerOptions = Parameters<Server['createXeroConnectionHandler']>[0];

export const BASE_PATH = '/api/integrations/xero-billing';
export const ORIGIN = 'https://portal.example';
const REDIRECT_URI = `${ORIGIN}${BASE_PATH}/callback`;

/**
 * The emulator, its clock frozen: only the handler's own waits move it. `organisations` many
 * organisations (`org-0`, `org-1`, …) when asked for, one per care provider at scale.
 */
export function startFrozenEmulator(organisations?: number): Promise<XeroEmulator> {
  return startXeroEmulator({
    redirectUris: [REDIRECT_URI],
    now: new Date('2026-12-07T09:00:00Z'),
    frozenClock: true,
    ...(organisations === undefined
      ? {}
      : { organisations: Array.from({ length: organisations }, (_, index) => ({ tenantId: `org-${index}`, tenantName: `Care provider ${index}`, tenantType: 'ORGANISATION' })) }),
  });
}

/** Headers of a request by the bench's administrator of `accountId` (a contract 1.1 client). */
export const as = (accountId: string) => ({ 'x-account': accountId, accept: 'application/json; contract=1.1' });

/**
 * A handler on the emulator for the account named in `x-account`. Its waits move the emulator's
 * clock to their end (never further, however many wait at once), so minutes of pacing take none.
 */
export function benchHandler(server: Server, emulator: XeroEmulator, options: Partial<HandlerOptions> = {}): Handler {
  return server.createXeroConnectionHandler({
    basePath: BASE_PATH,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret,
    redirectUri: REDIRECT_URI,
    scopes: ['accounting.invoices'],
    endpoints: emulator.endpoints,
    clock: emulator.now,
    sleep: async (ms) => {
      const target = emulator.now().getTime() + ms;
      await Promise.resolve();
      const gap = target - emulator.now().getTime();
      if (gap > 0) emulator.advance(gap);
    },
    authenticate: (request) => ({ userId: 'bench-admin', canManage: true, accountId: request.headers.get('x-account') ?? 'default' }),
    ...options,
  }) as Handler;
}

/**
 * Connects `accounts` through the emulator's consent page, ten at a time; each as `approvalOf`
 * says (its Xero user and organisation), or the emulator's one user and first organisation.
 */
export async function connectAccounts(
  handler: Handler,
  emulator: XeroEmulator,
  accounts: readonly string[] = ['default'],
  approvalOf?: (accountId: string, index: number) => ApproveOptions,
): Promise<void> {
  for (let start = 0; start < accounts.length; start += 10) {
    await Promise.all(
      accounts.slice(start, start + 10).map(async (accountId, offset) => {
        const started = await handler(
          new Request(`${ORIGIN}${BASE_PATH}/connect`, {
            method: 'POST',
            headers: { ...as(accountId), 'content-type': 'application/json' },
            body: JSON.stringify({ returnTo: `${ORIGIN}/settings`, mode: 'connect' }),
          }),
        );
        const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
        const approval = approvalOf?.(accountId, start + offset) ?? {};
        const back = await handler(new Request(await emulator.approve(authorizeUrl, approval), { headers: as(accountId) }));
        if (!(back.headers.get('location') ?? '').includes('xero=connected')) throw new Error(`connecting ${accountId} failed: ${back.status}`);
      }),
    );
  }
}
