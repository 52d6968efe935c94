import { useRevalidator } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { subscribeLive } from '~/utils/live-events';

const DEBOUNCE_MS = 300;

type Revalidate = () => void;

/** Every mounted hook's revalidate; any one reloads all of the page's loaders, so one call per event suffices. */
const revalidators = new Set<{ current: Revalidate }>();
let timer: ReturnType<typeof setTimeout> | undefined;

function revalidateSoon(): void {
  clearTimeout(timer);
  timer = setTimeout(() => {
    const [first] = revalidators;
    first?.current();
  }, DEBOUNCE_MS);
}

function onLiveEvent(): void {
  // A hidden tab waits until it is shown (which reloads anyway): ten background tabs reloading on
  // every event would only compete with the visible one.
  if (document.visibilityState !== 'hidden') revalidateSoon();
}

/**
 * Reloads the page's data when the server reports a relevant change over /live (server-sent
 * events, already filtered to what this user may see, one connection shared by all tabs: see
 * ~/utils/live-events). Bursts of events (a batch run changing many lights) cause one reload;
 * several components using the hook on one page cause one reload too. Returning to the tab also
 * reloads: the fallback when the stream was interrupted (sleeping laptop, proxy timeout) and events
 * were missed.
 */
export function useLiveRevalidation(enabled = true) {
  const revalidator = useRevalidator();
  const revalidate = useRef<Revalidate>(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;

  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    revalidators.add(revalidate);
    const unsubscribe = subscribeLive(onLiveEvent);
    const onVisible = () => {
      if (document.visibilityState === 'visible') revalidateSoon();
    };
    window.addEventListener('focus', revalidateSoon);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      revalidators.delete(revalidate);
      if (revalidators.size === 0) clearTimeout(timer);
      unsubscribe();
      window.removeEventListener('focus', revalidateSoon);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [enabled]);
}
