// Which fields each broker needs. Credentials go to the OS keychain through the agent and are never shown again;
// config fields (account id, exchange) are ordinary settings.
export interface FieldSpec {
  name: string;
  label: string;
  secret: boolean;
  optional?: boolean;
  hint?: string;
}

export interface BrokerSpec {
  id: 'paper' | 'alpaca' | 'oanda' | 'ccxt';
  label: string;
  environments: { id: string; label: string }[];
  credentials: FieldSpec[];
  config: FieldSpec[];
  note: string;
}

export const BROKERS: BrokerSpec[] = [
  { id: 'paper', label: 'Paper (built in)', environments: [{ id: 'paper', label: 'Paper' }], credentials: [], config: [], note: 'Simulated fills at the alert price. No account anywhere, no money at risk.' },
  {
    id: 'alpaca',
    label: 'Alpaca',
    environments: [
      { id: 'paper', label: 'Paper' },
      { id: 'live', label: 'Live (real money)' },
    ],
    credentials: [
      { name: 'keyId', label: 'API key ID', secret: false },
      { name: 'secretKey', label: 'Secret key', secret: true },
    ],
    config: [],
    note: 'Paper and live accounts have different key pairs; create them at alpaca.markets under API keys.',
  },
  {
    id: 'oanda',
    label: 'OANDA',
    environments: [
      { id: 'practice', label: 'Practice' },
      { id: 'live', label: 'Live (real money)' },
    ],
    credentials: [{ name: 'token', label: 'Personal access token', secret: true }],
    config: [{ name: 'accountId', label: 'Account ID', secret: false, hint: 'e.g. 101-004-1234567-001' }],
    note: 'Generate the token under "Manage API Access" in your OANDA account.',
  },
  {
    id: 'ccxt',
    label: 'Crypto exchange (CCXT)',
    environments: [
      { id: 'testnet', label: 'Testnet / sandbox' },
      { id: 'live', label: 'Live (real money)' },
    ],
    credentials: [
      { name: 'apiKey', label: 'API key', secret: false },
      { name: 'secret', label: 'API secret', secret: true },
      { name: 'password', label: 'API passphrase', secret: true, optional: true, hint: 'only OKX, KuCoin, Coinbase and a few others' },
    ],
    config: [{ name: 'exchange', label: 'Exchange id', secret: false, hint: 'binance, kraken, bybit, okx…' }],
    note: 'Give the key trading permission only, never withdrawal.',
  },
];

export function brokerSpec(id: string): BrokerSpec | undefined {
  return BROKERS.find((b) => b.id === id);
}
