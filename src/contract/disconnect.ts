import * as z from 'zod/mini';

/**
 * Answer to `DELETE /connection`. `remoteRemoved` is false when Xero could not be told (the tokens
 * were already dead, which is the recovery case): the local connection is gone either way, and the
 * UI tells the user where to remove the app in Xero themselves.
 */
export const disconnectResponseSchema = z.object({
  status: z.literal('disconnected'),
  remoteRemoved: z.boolean(),
});

/** Answer to `DELETE /connection`. */
export type DisconnectResponse = z.infer<typeof disconnectResponseSchema>;
