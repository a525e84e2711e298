import { createHash, randomBytes } from 'node:crypto';

import { walkConsent } from './consent-walk';

// The whole authorisation code flow as the registered client, without the handler: an authorize
// URL with its own PKCE pair, Allow on the consent page, and the code exchanged at the token
// endpoint. For tests that need Xero's tokens themselves (raw API calls, tenants the handler
// would not take).

/** The token endpoint's answer. */
export interface EmulatedTokenSet {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
  scope: string;
  id_token?: string;
}

export interface DirectClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

/** `POST` to the token endpoint with the client's Basic credentials. */
export function tokenRequest(client: DirectClient, body: Record<string, string>): Promise<Response> {
  const basic = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
  return fetch(client.tokenEndpoint, { method: 'POST', headers: { authorization: basic }, body: new URLSearchParams(body) });
}

export async function authorizeDirectly(
  client: DirectClient,
  options: { tenantIds: readonly string[]; scope?: string; xeroUserId?: string },
): Promise<EmulatedTokenSet> {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(client.authorizationEndpoint);
  const params = {
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    scope: options.scope ?? 'openid profile email offline_access accounting.transactions accounting.settings payroll.timesheets',
    state: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const choice = { decision: 'allow', tenantIds: options.tenantIds, ...(options.xeroUserId === undefined ? {} : { xeroUserId: options.xeroUserId }) } as const;
  const back = new URL(await walkConsent(url.href, choice));
  const code = back.searchParams.get('code');
  if (code === null) throw new Error(`The consent came back without a code: ${back.search}`);
  const answer = await tokenRequest(client, { grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: verifier });
  if (!answer.ok) throw new Error(`The code exchange answered ${answer.status}`);
  return (await answer.json()) as EmulatedTokenSet;
}
