import type { Interaction, InteractionResults, Provider, ProviderContext } from 'oidc-provider';

import { EMULATED_USER, IDENTITY_PATHS } from './identity-provider';
import { escapeHtml, htmlPage } from './pages';
import { readText } from './request-body';
import type { EmulatedOrganisation } from './xero-emulator';

// Xero's consent page ("Allow access"), as an oidc-provider interaction: the authorize endpoint
// sends the browser here with an `_interaction` cookie; Allow signs the emulated user in and
// consents with a fresh Grant in one step, Cancel ends the interaction with access_denied. Either
// way oidc-provider resumes the authorization and redirects to the app.

export interface ConsentPageOptions {
  provider: Provider;
  organisations: readonly EmulatedOrganisation[];
  /** Allow was clicked by the Xero user `userId` for these tenants: grant the request and answer the grant's id. */
  allow(interaction: Interaction, userId: string, tenantIds: readonly string[]): Promise<string>;
}

/** Answers GET and POST `${IDENTITY_PATHS.consent}/{uid}`; `false` for any other request. */
export function consentPage(options: ConsentPageOptions): (ctx: ProviderContext) => Promise<boolean> {
  const { provider, organisations } = options;

  return async (ctx) => {
    const prefix = `${IDENTITY_PATHS.consent}/`;
    if (!ctx.path.startsWith(prefix)) return false;
    const uid = ctx.path.slice(prefix.length);

    if (ctx.method === 'GET') {
      // Rendered from the URL alone (a fetch that followed the redirect without cookies still sees
      // the page); the decision below is bound to the interaction cookie.
      const interaction = await provider.Interaction.find(uid);
      if (interaction === undefined) return page(ctx, 400, expiredPage());
      return page(ctx, 200, consentHtml(ctx.path, interaction, organisations));
    }
    if (ctx.method !== 'POST') return false;

    const form = new URLSearchParams(await readText(ctx.req));
    const interaction = await provider.interactionDetails(ctx.req, ctx.res).catch(() => undefined);
    if (interaction?.uid !== uid) return page(ctx, 400, expiredPage());
    // Who signs in: the page's "Xero user" field (several Xero users can connect the same app).
    const userId = form.get('xeroUser')?.trim() || EMULATED_USER;
    const result: InteractionResults =
      form.get('decision') === 'allow'
        ? { login: { accountId: userId }, consent: { grantId: await options.allow(interaction, userId, form.getAll('tenantId')) } }
        : { error: 'access_denied' };
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.redirect(returnTo);
    ctx.status = 303;
    return true;
  };
}

function page(ctx: ProviderContext, status: number, html: string): true {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = html;
  return true;
}

function consentHtml(action: string, interaction: Interaction, organisations: readonly EmulatedOrganisation[]): string {
  const scopes = String(interaction.params.scope ?? '').split(' ').filter(Boolean);
  const choices = organisations
    .map(
      (org, index) =>
        `<label><input type="checkbox" name="tenantId" value="${escapeHtml(org.tenantId)}"${index === 0 ? ' checked' : ''}> ${escapeHtml(tenantLabel(org))}</label><br>`,
    )
    .join('');
  return htmlPage(
    'Xero emulator: allow access',
    `<h1>Allow access to your Xero organisation?</h1>
<p>The app asks for: ${scopes.map(escapeHtml).join(', ')}.</p>
<form method="post" action="${escapeHtml(action)}">
<p><label>Signed in to Xero as <input name="xeroUser" value="${escapeHtml(EMULATED_USER)}" autocomplete="off"></label></p>
<fieldset><legend>Organisations</legend>${choices}</fieldset>
<button type="submit" name="decision" value="allow">Allow access</button> <button type="submit" name="decision" value="cancel">Cancel</button>
</form>`,
  );
}

const TENANT_TYPE_NAMES: Readonly<Record<string, string>> = { ORGANISATION: 'Organisation', PRACTICE: 'Practice', PRACTICEMANAGER: 'Xero Practice Manager' };

/** The tenant's name; Xero lists PRACTICEMANAGER tenants (and maybe others) without one. */
export function tenantLabel(org: EmulatedOrganisation): string {
  return org.tenantName ?? `${TENANT_TYPE_NAMES[org.tenantType] ?? org.tenantType} (no name)`;
}

function expiredPage(): string {
  return htmlPage('Xero emulator: request expired', '<h1>This request has expired</h1><p>Go back to the app and connect again.</p>');
}
