import * as z from 'zod/mini';

import { httpUrlSchema, nonEmptyStringSchema, timestampSchema } from './shared-fields';

// Schema calls are marked `/* @__PURE__ */` (nested ones too) so a bundler can drop every schema a
// host's import does not reach: a top-level call is otherwise kept for its possible side effects.

/** `connect` starts a first connection; `reauth` repairs one for the same organisation. */
export const CONNECT_MODES = ['connect', 'reauth'] as const;

/** How a connect round trip is meant: see {@link CONNECT_MODES}. */
export type ConnectMode = (typeof CONNECT_MODES)[number];

/** The longest `returnTo` and `expectedTenantId` a backend keeps for a round trip. */
export const MAX_CONNECT_FIELD_LENGTH = 2048;

/**
 * Body of `POST /connect`. Strict: an unknown field is a `VALIDATION_FAILED` error, not ignored,
 * so a typo in a host's request is caught rather than silently dropped.
 */
export const connectRequestSchema = /* @__PURE__ */ z.strictObject({
  /**
   * Absolute URL the backend redirects the browser to after Xero; validated by the backend (no open
   * redirects). At most {@link MAX_CONNECT_FIELD_LENGTH} characters: the backend keeps it until the
   * round trip ends.
   */
  returnTo: /* @__PURE__ */ httpUrlSchema.check(/* @__PURE__ */ z.maxLength(MAX_CONNECT_FIELD_LENGTH)),
  mode: /* @__PURE__ */ z.enum(CONNECT_MODES),
  /** In `reauth` mode, the tenant the user must connect again; another one is `XERO_TENANT_MISMATCH`. At most {@link MAX_CONNECT_FIELD_LENGTH} characters. */
  expectedTenantId: /* @__PURE__ */ z.optional(/* @__PURE__ */ nonEmptyStringSchema.check(/* @__PURE__ */ z.maxLength(MAX_CONNECT_FIELD_LENGTH))),
});

/** Body of `POST /connect`. */
export type ConnectRequest = z.infer<typeof connectRequestSchema>;

/** Answer to `POST /connect`: where to send the browser, and until when that link works. */
export const connectResponseSchema = /* @__PURE__ */ z.object({
  /** Xero's authorize URL with state and PKCE challenge. Only http(s) is accepted: the browser navigates to it. */
  authorizeUrl: httpUrlSchema,
  state: nonEmptyStringSchema,
  expiresAt: timestampSchema,
});

/** Answer to `POST /connect`. */
export type ConnectResponse = z.infer<typeof connectResponseSchema>;

/** Body of `POST /callback`, for hosts that route Xero's redirect to a page of their own app. */
export const callbackRequestSchema = /* @__PURE__ */ z.strictObject({
  code: nonEmptyStringSchema,
  state: nonEmptyStringSchema,
});

/** Body of `POST /callback`. */
export type CallbackRequest = z.infer<typeof callbackRequestSchema>;

/**
 * Body of `POST /connection/organisation` (contract 1.1): the organisation, among a
 * `choosing_organisation` connection's `organisations`, to link. The others are disconnected in Xero.
 */
export const chooseOrganisationRequestSchema = /* @__PURE__ */ z.strictObject({
  tenantId: nonEmptyStringSchema,
});

/** Body of `POST /connection/organisation`. */
export type ChooseOrganisationRequest = z.infer<typeof chooseOrganisationRequestSchema>;

/** The query parameter the backend adds to `returnTo` after the round trip. */
export const RETURN_PARAM = 'xero';

/**
 * {@link RETURN_PARAM}'s value on a link that asks a person to reconnect an integration (a
 * connection event's `reconnectUrl`): `?xero=reconnect&xeroIntegration=…`. The page brings that
 * integration's card into view with Reconnect focused; it never starts a round trip by itself.
 */
export const RETURN_RECONNECT_VALUE = 'reconnect';

/** The query parameter carrying the error code when {@link RETURN_PARAM} is `error`. */
export const RETURN_CODE_PARAM = 'code';

/**
 * Optional (contract 1.0 compatible): names the integration, by the base URL its client was given,
 * that started the round trip. The browser puts it into `returnTo` itself, so a backend needs no
 * change: it keeps `returnTo`'s query as it is and adds {@link RETURN_PARAM}. It tells apart
 * several integrations on one page (billing and payroll); a return without it belongs to the
 * first integration on the page that reads it.
 */
export const RETURN_INTEGRATION_PARAM = 'xeroIntegration';

/**
 * Optional (contract 1.0 compatible): `1` when the round trip runs in a pop-up. Put into
 * `returnTo` by the browser like {@link RETURN_INTEGRATION_PARAM}; the return page then hands the
 * outcome to the window that opened it instead of showing it.
 */
export const RETURN_POPUP_PARAM = 'xeroPopup';
