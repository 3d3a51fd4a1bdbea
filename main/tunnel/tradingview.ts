// TradingView sends webhooks only from these addresses (its documentation lists them). A tunnel that supports
// IP restriction at its edge (ngrok) can drop everything else before it reaches this machine.
export const TRADINGVIEW_SENDER_CIDRS: readonly string[] = [
  '52.89.214.238/32',
  '34.212.75.30/32',
  '54.218.53.128/32',
  '52.32.178.7/32',
];
