'use client';

export function Mismatch() {
  return <p>Rendered on the {typeof window === 'undefined' ? 'server' : 'client'}</p>;
}
