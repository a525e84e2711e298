'use client';

import { version } from 'react';

/** The React the browser runs (Next's App Router ships its own build of React 19). */
export function ReactVersion() {
  return <p>Running React {version}</p>;
}
