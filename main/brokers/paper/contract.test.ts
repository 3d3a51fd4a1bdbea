// The built-in paper broker passes the broker contract, on its own SQLite books in a temporary directory, with the
// contract's fault switches standing where the network would be (fault-switches.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBrokerContract } from '../contract/suite.js';
import { openDatabase } from '../../store/db.js';
import { PaperRepo } from '../../store/paper.js';
import { PaperBroker } from './paper-broker.js';
import { FaultSwitchedPaper } from './fault-switches.js';

// The paper broker takes no credential, so it has none to leak: no part of the paper path is given this value, and
// for paper BC-14 proves the error kinds of the fault path (auth, rate limit, 5xx, timeout, duplicate refusal), not
// redaction. The harness interface needs one value; a canary keeps the check well-formed.
const CANARY = 'canary-paper-secret-7Hq2Lx9Vb4Nm';

runBrokerContract('paper', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vz-paper-contract-'));
  const db = openDatabase({ file: path.join(dir, 'viewzenix.db') });
  const paper = new PaperBroker('acct-paper', new PaperRepo(db), { startingCash: '1000000' });
  paper.observePrice('AAPL', '100');
  const adapter = new FaultSwitchedPaper(paper);
  return {
    adapter,
    faults: adapter.faults,
    symbol: 'AAPL',
    quantity: '2',
    price: '100',
    setPrice: (s, p) => paper.observePrice(s, p),
    brokerOrderCount: (id) => paper.orderCount(id),
    secrets: [CANARY],
    close: async () => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
