import * as z from 'zod/mini';

import { errorCodeSchema } from '../client';

// The messages a connect round trip's return page sends to the window that opened it
// (postMessage) and to every tab of the origin (BroadcastChannel). Everything that arrives is
// checked against these schemas: a message of another shape is ignored, never trusted.

/** `source` of every message this package sends. */
export const MESSAGE_SOURCE = '@carevision/xero-connection';

/** The BroadcastChannel every tab of the origin shares. */
export const CHANNEL_NAME = '@carevision/xero-connection';

const returnOutcomeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('connected') }),
  z.object({ kind: z.literal('cancelled'), reason: z.enum(['consent_denied', 'popup_closed']) }),
  z.object({ kind: z.literal('failed'), code: errorCodeSchema }),
]);

/** A return page's outcome, for the opener (postMessage) and other tabs (BroadcastChannel). */
export const connectResultMessageSchema = z.object({
  source: z.literal(MESSAGE_SOURCE),
  type: z.literal('connect-result'),
  baseUrl: z.string(),
  outcome: returnOutcomeSchema,
});

/** A connect result message. */
export type ConnectResultMessage = z.infer<typeof connectResultMessageSchema>;

/** Another tab connected or disconnected an integration: read it again. */
export const changedMessageSchema = z.object({
  source: z.literal(MESSAGE_SOURCE),
  type: z.literal('changed'),
  baseUrl: z.string(),
});

/** Every message on the channel. */
export const channelMessageSchema = z.discriminatedUnion('type', [connectResultMessageSchema, changedMessageSchema]);

/** A message on the channel. */
export type ChannelMessage = z.infer<typeof channelMessageSchema>;
