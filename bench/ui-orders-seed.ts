// Seeds a data directory with N settled orders through the real store (OrderRepo), for the UI orders benchmark.
// Every order is terminal (filled / canceled / rejected), so start-up reconciliation leaves them alone. The audit
// trail is sealed, as a running agent leaves it (it seals every few seconds and once more at stop): otherwise the
// agent under test would spend its first seconds hashing 300,000 backlog rows while the page loads.
import path from 'node:path';
import fs from 'node:fs';
import { openDatabase } from '../main/store/db.js';
import { OrderRepo } from '../main/store/orders.js';
import { sealAudit } from '../main/store/audit.js';
import type { OrderStatus } from '../shared/order-status.js';

const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'TSLA', 'AMZN', 'META', 'GOOGL', 'SPY', 'QQQ', 'EURUSD', 'BTCUSD', 'ES1!'];
const ENDINGS: OrderStatus[] = ['filled', 'filled', 'filled', 'canceled', 'rejected'];

export function seedOrders(dataDir: string, rows: number): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const db = openDatabase({ file: path.join(dataDir, 'viewzenix.db') });
  try {
    const repo = new OrderRepo(db);
    const start = Date.now() - rows * 1000;
    db.transaction(() => {
      for (let i = 0; i < rows; i++) {
        const at = new Date(start + i * 1000).toISOString();
        const id = `ord_bench${String(i).padStart(8, '0')}`;
        const side = i % 2 === 0 ? 'buy' : 'sell';
        const symbol = SYMBOLS[i % SYMBOLS.length]!;
        const status = ENDINGS[i % ENDINGS.length]!;
        repo.insertIfAbsent({ id, accountId: 'acc_bench', leg: 'entry', createdAt: at, request: { clientOrderId: `vz-bench-${i}`, symbol, side, type: 'market', quantity: String(1 + (i % 9)), timeInForce: 'day' } });
        repo.update(id, status === 'filled' ? { status, filledQuantity: String(1 + (i % 9)), averageFillPrice: (100 + (i % 50)).toFixed(2) } : { status, reason: status === 'rejected' ? 'BROKER_REJECTED: seeded' : undefined }, at);
      }
    })();
    while (sealAudit(db) > 0);
  } finally {
    db.close();
  }
}
