// Progress of a long workflow side effect (per PDF, per stage of a batch). The Temporal adapter
// (activities/index.ts) turns it into activity heartbeats: a worker that dies mid-activity is
// noticed within the heartbeat timeout (seconds, not the start-to-close timeout of minutes), and the
// next attempt, on any worker, starts from what the last one reported.
export interface Progress<D> {
  /** What the previous attempt reported last; undefined on a first attempt (or outside Temporal). */
  readonly resumed: D | undefined;
  /** Records how far the work has come. */
  report(details: D): void;
  /** Runs a step of unknown length that is known to make headway (a mail batch), reporting alive meanwhile. */
  keepAlive<T>(step: () => Promise<T>): Promise<T>;
}

/** Opens the progress of the current call; one per activity invocation. */
export type ProgressSource = <D>() => Progress<D>;

/** Outside an activity (tests calling a service directly): nothing to resume, nobody to tell. */
export const noProgress: ProgressSource = () => ({
  resumed: undefined,
  report() {},
  keepAlive: (step) => step(),
});
