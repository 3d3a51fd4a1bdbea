// What a flatten did, in the trader's words. Every error names its account by name: the agent's message does
// (`Account "Paper" (acc_…) …`); the window adds the name only to a message that lacks it.
import type { FlattenResultView } from '../api/types.js';

type FlattenErrorView = FlattenResultView['errors'][number];

/** One error: its code and message, led by the account's name unless the message already names the account. */
export function flattenErrorText(e: FlattenErrorView, name: (accountId: string) => string | undefined): string {
  const code = e.code ? `${e.code}: ` : '';
  const known = name(e.accountId);
  const named = e.message.includes(e.accountId) || (known !== undefined && e.message.includes(known));
  if (named) return `${code}${e.message}`;
  return `${known !== undefined ? `${known} (${e.accountId})` : e.accountId}: ${code}${e.message}`;
}

/** The header's one line after "Flatten all". */
export function flattenSummary(r: FlattenResultView, name: (accountId: string) => string | undefined): string {
  const failed = r.errors.length ? `; failed: ${r.errors.map((e) => flattenErrorText(e, name)).join('; ')}` : '';
  const pairs = r.closed?.length ? `, ${r.closed.length} position(s) held long and short closed at the broker` : '';
  return `Flatten sent: ${r.closing.length} closing order(s)${pairs}, ${r.canceled} open order(s) canceled${failed}.`;
}
