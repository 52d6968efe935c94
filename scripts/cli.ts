// Command-line entry: `npm run -s cli -- <command> ...`. Each command lives in scripts/cli/.
import { runDeadlines } from './cli/deadlines';
import { runBilling } from './cli/billing';
import { runReadings } from './cli/readings';
import { runProof } from './cli/proof';
import { runReplay } from './cli/replay';
import { runHistory } from './cli/history';
import { runAudit } from './cli/audit';
import { runTrackOverdue } from './cli/track-overdue';

const commands: Record<string, (args: string[]) => Promise<number>> = {
  deadlines: runDeadlines,
  billing: runBilling,
  readings: runReadings,
  proof: runProof,
  replay: (args) => runReplay(args),
  history: (args) => runHistory(args),
  audit: (args) => runAudit(args),
  'track-overdue': (args) => runTrackOverdue(args),
};

const [name, ...rest] = process.argv.slice(2);
const command = name ? commands[name] : undefined;
if (!command) {
  process.stderr.write(`Usage: cli <${Object.keys(commands).join('|')}> ...\n`);
  process.exit(2);
}
command(rest).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
