// An agent's demo paper account trading through a test double over its paper books (a FaultyAdapter, a wrapper that
// refuses or delays): the agent's `adapterFactory` override, and the books for the test to look into.
import { PaperBroker } from '../brokers/paper/paper-broker.js';
import type { BrokerAdapter } from '../brokers/port.js';
import type { StartOverrides } from '../agent.js';

export function demoPaperThrough(wrap: (books: PaperBroker) => BrokerAdapter): { adapterFactory: NonNullable<StartOverrides['adapterFactory']>; books: () => PaperBroker } {
  let books: PaperBroker | undefined;
  return {
    adapterFactory: (account, _credentials, { paperRepo }) => {
      if (account.broker !== 'paper') return undefined;
      books = new PaperBroker(account.id, paperRepo);
      return wrap(books);
    },
    books: () => {
      if (!books) throw new Error('the demo paper account is not connected yet');
      return books;
    },
  };
}
