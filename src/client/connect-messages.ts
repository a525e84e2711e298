import * as z from 'zod/mini';

import { errorCodeSchema } from '../contract';

// Schema calls are marked `/* @__PURE__ */` (nested ones too) so a bundler can drop every schema a
// host's import does not reach: a top-level call is otherwise kept for its possible side effects.

// The messages a connect round trip's return page sends to the window that opened it
// (postMessage) and to every tab of the origin (BroadcastChannel). Everything that arrives is
// checked against these schemas: a message of another shape is ignored, never trusted.

/** `source` of every message this package sends. */
export const MESSAGE_SOURCE = '@carevision/xero-connection';

/** The BroadcastChannel every tab of the origin shares. */
export const CHANNEL_NAME = '@carevision/xero-connection';

const returnOutcomeSchema = /* @__PURE__ */ z.discriminatedUnion('kind', [
  /* @__PURE__ */ z.object({ kind: /* @__PURE__ */ z.literal('connected') }),
  /* @__PURE__ */ z.object({ kind: /* @__PURE__ */ z.literal('cancelled'), reason: /* @__PURE__ */ z.enum(['consent_denied', 'popup_closed']) }),
  /* @__PURE__ */ z.object({ kind: /* @__PURE__ */ z.literal('failed'), code: errorCodeSchema }),
]);

/** A return page's outcome, for the opener (postMessage) and other tabs (BroadcastChannel). */
export const connectResultMessageSchema = /* @__PURE__ */ z.object({
  source: /* @__PURE__ */ z.literal(MESSAGE_SOURCE),
  type: /* @__PURE__ */ z.literal('connect-result'),
  baseUrl: /* @__PURE__ */ z.string(),
  outcome: returnOutcomeSchema,
});

/** A connect result message. */
export type ConnectResultMessage = z.infer<typeof connectResultMessageSchema>;

/** Another tab connected or disconnected an integration, or met a problem with it: read it again. */
export const changedMessageSchema = /* @__PURE__ */ z.object({
  source: /* @__PURE__ */ z.literal(MESSAGE_SOURCE),
  type: /* @__PURE__ */ z.literal('changed'),
  baseUrl: /* @__PURE__ */ z.string(),
});

/** Every message on the channel. */
export const channelMessageSchema = /* @__PURE__ */ z.discriminatedUnion('type', [connectResultMessageSchema, changedMessageSchema]);

/** A message on the channel. */
export type ChannelMessage = z.infer<typeof channelMessageSchema>;
