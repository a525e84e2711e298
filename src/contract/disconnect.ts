import * as z from 'zod/mini';

// Schema calls are marked `/* @__PURE__ */` (nested ones too) so a bundler can drop every schema a
// host's import does not reach: a top-level call is otherwise kept for its possible side effects.

/**
 * Answer to `DELETE /connection`. `remoteRemoved` is false when Xero could not be told (the tokens
 * were already dead, which is the recovery case): the local connection is gone either way, and the
 * UI tells the user where to remove the app in Xero themselves.
 */
export const disconnectResponseSchema = /* @__PURE__ */ z.object({
  status: /* @__PURE__ */ z.literal('disconnected'),
  remoteRemoved: /* @__PURE__ */ z.boolean(),
});

/** Answer to `DELETE /connection`. */
export type DisconnectResponse = z.infer<typeof disconnectResponseSchema>;
