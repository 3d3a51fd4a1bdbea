// What the broker contract suite needs from each adapter's test file: the adapter wired to a fake server
// of its broker, and the fake's controls.
import type { BrokerAdapter } from '../port.js';
import type { FaultSwitches } from './faults.js';

export interface Harness {
  adapter: BrokerAdapter;
  faults: FaultSwitches;
  /** A tradable symbol in the adapter's notation, a size the broker accepts, and the start price. */
  symbol: string;
  quantity: string;
  price: string;
  /** Moves the fake's market; resting orders that cross fill. */
  setPrice(symbol: string, price: string): void;
  /** How many orders the fake holds under this client order id (must never exceed 1). */
  brokerOrderCount(clientOrderId: string): number;
  /** The credential values given to the adapter; none may appear in an error. */
  secrets: readonly string[];
  close(): Promise<void>;
}
