// The response's CSP nonce (set by scripts/web.ts, passed by entry.server) for the inline scripts
// Remix renders. In the browser it is empty: browsers hide nonces from the DOM, and scripts added
// after hydration are modules from our origin, which the policy allows anyway.
import { createContext, useContext } from 'react';

export const NonceContext = createContext<string | undefined>(undefined);

export function useNonce(): string | undefined {
  return useContext(NonceContext);
}
