import '@carevision/xero-connection/styles.css';

import type { ReactNode } from 'react';

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <link rel="icon" href="data:," />
        <title>Integrations</title>
      </head>
      <body>{children}</body>
    </html>
  );
}
