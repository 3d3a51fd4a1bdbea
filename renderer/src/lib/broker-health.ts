// Broker connection per account for the header badge: what the agent reports in status.brokers or
// account.connection, else what every account view carries (connected, with connectionError saying why not).
import type { AccountWithHealth, BrokerHealth } from '../api/types.js';

function fromAccount(a: AccountWithHealth): BrokerHealth | undefined {
  if (a.connection) return a.connection;
  if (a.connected === undefined) return undefined; // an agent that does not say
  if (a.connected) return { state: 'connected' };
  if (a.connectionError) return { state: 'error', message: `${a.connectionError.code}: ${a.connectionError.message}`, checkedAt: a.connectionError.at };
  // No adapter and no failure seen: its keys are not set (or could not be read at start).
  return { state: 'disconnected', message: a.credentialVariables ? 'keys not set' : 'not connected' };
}

export function brokerHealth(accounts: AccountWithHealth[] | undefined, reported: Record<string, BrokerHealth> | undefined): { name: string; health?: BrokerHealth }[] {
  return (accounts ?? []).map((a) => ({ name: a.name, health: reported?.[a.id] ?? fromAccount(a) }));
}
