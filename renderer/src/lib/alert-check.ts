// What the alert tester tells the trader, from the agent's check (POST /api/alerts/check) and what only the window
// knows: the builder's "<your passphrase>" placeholder is refused by the real webhook (PASSPHRASE_INVALID), and a
// strategy with a passphrase refuses an alert without one. "Without problems" is said only when there is neither a
// problem nor a warning.
import type { AlertCheckResult, AlertProblem } from '../api/types.js';
import { PASSPHRASE_PLACEHOLDER } from './alert-template.js';

export interface AlertReview {
  problems: AlertProblem[];
  warnings: string[];
  verdict: 'problems' | 'warnings' | 'ok';
  headline: string;
}

export function reviewAlertCheck(result: AlertCheckResult, text: string, opts: { hasPassphrase?: boolean } = {}): AlertReview {
  const problems = [...result.problems];
  const warnings = [...(result.warnings ?? [])];
  if (text.includes(PASSPHRASE_PLACEHOLDER)) {
    problems.push({
      code: 'PASSPHRASE_INVALID',
      field: 'passphrase',
      message: `${PASSPHRASE_PLACEHOLDER} is the builder's placeholder, not the strategy's passphrase: the webhook refuses this alert. Type the passphrase in the builder (step 2) or replace the placeholder before pasting the message into TradingView.`,
    });
  } else if (opts.hasPassphrase && !/passphrase/i.test(text)) {
    problems.push({ code: 'PASSPHRASE_MISSING', field: 'passphrase', message: 'This strategy checks a passphrase and the alert has none: the webhook refuses it. Add "passphrase": "…" with the strategy\'s passphrase.' });
  }
  const n = problems.length;
  const w = warnings.length;
  if (n > 0) {
    const also = w > 0 ? `, and ${w} warning${w === 1 ? '' : 's'}` : '';
    return { problems, warnings, verdict: 'problems', headline: `${n} problem${n === 1 ? '' : 's'} to fix before this alert can trade${also}.` };
  }
  if (w > 0) return { problems, warnings, verdict: 'warnings', headline: `The agent reads this alert, with ${w} warning${w === 1 ? '' : 's'}: read ${w === 1 ? 'it' : 'them'} before use, as ${w === 1 ? 'it' : 'they'} can stop a trade.` };
  return { problems, warnings, verdict: 'ok', headline: 'The agent reads this alert without problems or warnings.' };
}
