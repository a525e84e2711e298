import { CHANNEL_NAME, channelMessageSchema, type ChannelMessage } from './connect-messages';

// One BroadcastChannel per page, made on first use in the browser (never at import, never on the
// server). A channel does not hear its own messages, so a tab never reacts to what it sent.

let channel: BroadcastChannel | null | undefined;
const listeners = new Set<(message: ChannelMessage) => void>();

function pageChannel(): BroadcastChannel | null {
  if (channel !== undefined) return channel;
  if (typeof BroadcastChannel === 'undefined') {
    channel = null;
    return channel;
  }
  try {
    channel = new BroadcastChannel(CHANNEL_NAME);
  } catch {
    // Some embedded webviews expose the constructor but refuse it (opaque origins).
    channel = null;
    return channel;
  }
  channel.addEventListener('message', (event: MessageEvent) => {
    const parsed = channelMessageSchema.safeParse(event.data);
    if (!parsed.success) return;
    for (const listener of [...listeners]) listener(parsed.data);
  });
  return channel;
}

/** Tells the origin's other tabs; a no-op where BroadcastChannel is missing. */
export function postToOtherTabs(message: ChannelMessage): void {
  try {
    pageChannel()?.postMessage(message);
  } catch {
    // A closed or refused channel: other tabs catch up on focus.
  }
}

/** Listens to the origin's other tabs. Returns the unsubscribe function. */
export function listenToOtherTabs(listener: (message: ChannelMessage) => void): () => void {
  pageChannel();
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
