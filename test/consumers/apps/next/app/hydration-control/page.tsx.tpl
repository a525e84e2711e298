import { Mismatch } from './mismatch';

// The control for the hydration check: this page mismatches on purpose, so the spec can show
// that its console capture sees React's hydration errors in this build at all.
export const dynamic = 'force-dynamic';

export default function HydrationControlPage() {
  return (
    <main>
      <Mismatch />
    </main>
  );
}
