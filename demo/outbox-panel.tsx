// The Outbox panel: the emails the portal would send its administrator, one per connection event
// (demo/outbox.ts, fed by `handler.deliverConnectionEvents`). An email about a connection that needs
// a person carries the event's `reconnectUrl`: a plain link back to this page, in the same tab,
// where the card comes into view with Reconnect focused, as it would from a real inbox.
import { useEffect, useRef, useState } from 'react';

import type { DemoEmail, DemoOutbox } from './demo-api';

const POLL_MS = 2_000;
const dateFormat = new Intl.DateTimeFormat('en-AU', { dateStyle: 'medium', timeStyle: 'short' });

async function readOutbox(): Promise<DemoEmail[]> {
  const response = await fetch('/demo/outbox', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`the outbox answered ${response.status}`);
  return ((await response.json()) as DemoOutbox).emails;
}

/** The panel. `version` changes when something may have emailed (a demo control, a card's event): it reads the outbox at once. */
export function OutboxPanel({ version }: { version: number }) {
  const [emails, setEmails] = useState<DemoEmail[] | null>(null);
  const [announcement, setAnnouncement] = useState('');
  // The emails already shown: only the ones arriving while the page is open are announced.
  const seen = useRef<Set<string> | null>(null);

  useEffect(() => {
    let cancelled = false;
    const read = () =>
      readOutbox().then(
        (next) => {
          if (cancelled) return;
          const known = seen.current;
          const fresh = known === null ? [] : next.filter((email) => !known.has(email.id));
          seen.current = new Set(next.map((email) => email.id));
          if (fresh.length > 0) setAnnouncement(`New email: ${fresh.map((email) => email.subject).join('; ')}`);
          setEmails(next);
        },
        () => undefined,
      );
    void read();
    const timer = setInterval(() => void read(), POLL_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [version]);

  return (
    <section className="outbox" aria-labelledby="outbox-title" aria-describedby="outbox-hint">
      <h2 id="outbox-title">Outbox</h2>
      <p id="outbox-hint">Emails the portal would send its administrator, newest first: one for each change of a connection.</p>
      {emails === null ? null : emails.length === 0 ? (
        <p>No emails yet.</p>
      ) : (
        <ol className="outbox-emails" tabIndex={0} aria-labelledby="outbox-title">
          {emails.map((email) => (
            <li key={email.id} className="outbox-email" data-type={email.type}>
              <h3>{email.subject}</h3>
              <p className="outbox-meta">
                To {email.to}, <time dateTime={email.occurredAt}>{dateFormat.format(new Date(email.occurredAt))}</time>
              </p>
              <p>{email.body}</p>
              {email.link ? (
                <p>
                  <a href={email.link.href}>{email.link.text}</a>
                </p>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      <p role="status" className="outbox-announcer">
        {announcement}
      </p>
    </section>
  );
}
