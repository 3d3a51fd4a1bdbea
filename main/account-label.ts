// How a message the trader reads names a broker account: by the name the trader gave it, with its id in brackets
// (`Account "Paper" (acc_…)`), so the trader recognises it and the id still finds it in the log and the API. An
// account the store does not know (deleted, or never stored) is named by its id alone. Machine-read fields (an
// `accountId` in an answer, an event or a decision) keep the id; only the words change.

/** What naming an account needs of the account store (AccountRepo): an account's name by its id. */
export interface AccountNames {
  get(accountId: string): { name: string } | undefined;
}

/** `"Paper" (acc_…)`, or `acc_…` for an account the store does not know: for "account …" within a sentence. */
export function accountName(accounts: AccountNames | undefined, accountId: string): string {
  return namedWithId(accounts?.get(accountId)?.name, accountId);
}

/** `"<name>" (<id>)`, or the id alone without a name: how every message names an account (or a strategy). */
export function namedWithId(name: string | undefined, id: string): string {
  return name ? `"${name}" (${id})` : id;
}

/** `Account "Paper" (acc_…)` (or `Account acc_…`): an account at the start of a message. */
export function accountLabel(accounts: AccountNames | undefined, accountId: string): string {
  return `Account ${accountName(accounts, accountId)}`;
}
