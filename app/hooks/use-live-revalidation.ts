import { useRevalidator } from '@remix-run/react';
import { useEffect, useRef } from 'react';

const DEBOUNCE_MS = 300;

/**
 * Reloads the page's data when the server reports a relevant change over /live (server-sent
 * events, already filtered to what this user may see). Bursts of events (a batch run changing
 * many lights) cause one reload. Returning to the tab also reloads: the fallback when the stream
 * was interrupted (sleeping laptop, proxy timeout) and events were missed.
 */
export function useLiveRevalidation(enabled = true) {
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;

  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => revalidate.current(), DEBOUNCE_MS);
    };
    const source = new EventSource('/live');
    source.addEventListener('message', schedule);
    const onVisible = () => {
      if (document.visibilityState === 'visible') schedule();
    };
    window.addEventListener('focus', schedule);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearTimeout(timer);
      source.close();
      window.removeEventListener('focus', schedule);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [enabled]);
}
