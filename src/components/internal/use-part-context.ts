import { useContext, type Context } from 'react';

import { XeroConnectionUsageError } from '../../client';

/**
 * Reads the context a component's root gives its parts, or says which part was used outside
 * which root and how to fix it ("`XTitle` must be used within `XRoot`. Wrap the parts in <XRoot>,
 * or use the assembled <X>.").
 */
export function usePartContext<T>(context: Context<T | null>, partName: string, root: string, assembled: string): T {
  const value = useContext(context);
  if (value === null) {
    throw new XeroConnectionUsageError(
      `\`${partName}\` must be used within \`${root}\`. Wrap the parts in <${root}>, or use the assembled <${assembled}>.`,
      null,
    );
  }
  return value;
}
