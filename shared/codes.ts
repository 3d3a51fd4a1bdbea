// The one enum of codes the agent answers with: webhook rejections, risk denials, order rejections and
// control-API errors. The UI, the CLI and docs/codes.md all read this table, so a code is documented once.

export interface CodeInfo {
  /** HTTP status when the code is the answer to a request. */
  readonly http: number;
  /** What happened, in the trader's words. */
  readonly message: string;
  /** What to do next. */
  readonly fix: string;
}

export const CODES = {
  // --- webhook intake -------------------------------------------------------------------------------
  WEBHOOK_NOT_FOUND: { http: 404, message: 'No strategy has this webhook URL.', fix: 'Copy the webhook URL again from the strategy page; it may have been regenerated.' },
  PASSPHRASE_MISSING: { http: 401, message: 'This strategy requires a passphrase and the alert has none.', fix: 'Add "passphrase": "<your passphrase>" to the alert message.' },
  PASSPHRASE_INVALID: { http: 401, message: 'The alert passphrase does not match the strategy.', fix: 'Copy the passphrase from the strategy page into the alert message.' },
  STRATEGY_DISABLED: { http: 409, message: 'The strategy of this webhook URL is disabled: the alert is kept, not traded.', fix: 'Enable the strategy to trade its alerts again; alerts received while it was disabled are not traded later.' },
  IP_NOT_ALLOWED: { http: 403, message: 'The alert came from an address outside the allowlist.', fix: 'Only TradingView\'s sender addresses are allowed; check the allowlist in the strategy settings.' },
  BODY_TOO_LARGE: { http: 413, message: 'The alert body is larger than the limit.', fix: 'Shorten the alert message; the limit is 64 KiB by default.' },
  UNSUPPORTED_ENCODING: { http: 415, message: 'The alert body is compressed or encoded (Content-Encoding or Transfer-Encoding other than chunked), which the agent does not read.', fix: 'Send the alert message as plain text or JSON, uncompressed, as TradingView does; a proxy in front of the agent must not compress request bodies.' },
  MALFORMED_REQUEST: { http: 400, message: 'The request is not valid HTTP: its framing or headers cannot be read (for example Content-Length together with Transfer-Encoding, a broken chunk, or no Host header in HTTP/1.1).', fix: 'Send alerts as TradingView does, or with curl or `viewzenix signal send`; a proxy in front of the agent may be altering requests.' },
  EXPECTATION_FAILED: { http: 417, message: 'The request has an Expect header the agent does not meet: only "100-continue" is understood.', fix: 'Remove the Expect header (TradingView sends none), or send Expect: 100-continue.' },
  REQUEST_TIMEOUT: { http: 408, message: 'The request\'s headers or body took longer than 10 s to arrive.', fix: 'Check the connection and the tunnel; TradingView itself gives up after 3 s, so its alerts never take this long.' },
  HEADERS_TOO_LARGE: { http: 431, message: 'The request\'s headers (the URL included) are larger than the listener reads (16 KiB).', fix: 'Use the webhook URL exactly as the strategy page shows it; alerts need no extra headers.' },
  RATE_LIMITED: { http: 429, message: 'Too many alerts in a short time.', fix: 'Check the alert conditions in TradingView; a leaked URL can also cause this (regenerate it).' },
  EMPTY_BODY: { http: 400, message: 'The alert message is empty.', fix: 'Put the alert JSON (or a supported text format) into the TradingView "Message" box.' },
  INVALID_JSON: { http: 400, message: 'The alert looks like JSON but cannot be read.', fix: 'Check for missing quotes, commas or braces; the alert check in the app shows where.' },
  TRUNCATED_JSON: { http: 400, message: 'The alert JSON ends early (it is cut off).', fix: 'Copy the whole alert message again; a closing brace or quote is missing.' },
  UNQUOTED_NAN: { http: 400, message: 'A number in the alert rendered as NaN, which turned the JSON into text.', fix: 'Quote the placeholder ("price": "{{close}}") or use a value that is always defined.' },
  ESCAPED_JSON: { http: 400, message: 'The alert JSON has backslash-escaped quotes (\\") from a copy-paste.', fix: 'Paste the message again without the backslashes.' },
  UNFILLED_PLACEHOLDER: { http: 400, message: 'The alert contains a {{placeholder}} that TradingView did not fill.', fix: 'Use placeholders TradingView knows for this alert type (strategy.* only work in strategy alerts).' },
  UNRECOGNISED_FORMAT: { http: 400, message: 'The alert message is not in a format the agent understands.', fix: 'Use the JSON from the strategy\'s alert builder, or a supported text format (see docs/alerts.md).' },
  MISSING_TICKER: { http: 400, message: 'The alert has no ticker.', fix: 'Add "ticker": "{{ticker}}" to the alert message.' },
  MISSING_ACTION: { http: 400, message: 'The alert has no action.', fix: 'Add "action": "{{strategy.order.action}}" (or buy / sell / exit / cancel / add).' },
  INVALID_ACTION: { http: 400, message: 'The alert action is not one of buy, sell, exit, cancel, add.', fix: 'Use buy, sell, exit, cancel or add.' },
  INVALID_FIELD: { http: 400, message: 'A field in the alert has a value the agent cannot use.', fix: 'See the field named in the message and docs/alerts.md for the allowed values.' },
  INVALID_QUANTITY: { http: 400, message: 'The quantity must be a positive number.', fix: 'Use a quantity greater than zero, e.g. "quantity": "{{strategy.order.contracts}}".' },
  INVALID_PRICE: { http: 400, message: 'A price in the alert is not a positive number.', fix: 'Check limitPrice / stopPrice / price; quote placeholders such as "{{close}}".' },
  INBOX_UNAVAILABLE: { http: 503, message: 'The alert could not be stored.', fix: 'TradingView will re-send; check disk space and the agent log.' },

  // --- risk and strategy denials (stored with the signal, not HTTP answers) -----------------------------
  TRADING_HALTED: { http: 409, message: 'Trading is halted.', fix: 'Resume trading (set the trading state to active) when you are ready.' },
  TRADING_REDUCING: { http: 409, message: 'Trading is reducing-only; this order would increase exposure.', fix: 'Only exits and reductions are allowed until trading is set to active.' },
  SYMBOL_NOT_ALLOWED: { http: 409, message: 'The symbol is not allowed by the risk rules.', fix: 'Edit the allowed / blocked symbols of the account or strategy.' },
  SYMBOL_UNMAPPED: { http: 409, message: 'The ticker has no symbol mapping for this broker.', fix: 'Add a symbol mapping for this ticker in the account settings.' },
  SIDE_NOT_ALLOWED: { http: 409, message: 'The strategy does not trade this side (long / short).', fix: 'Change the strategy\'s sides, or check the alert action.' },
  QUANTITY_EXCEEDS_MAX: { http: 409, message: 'The order quantity exceeds the maximum.', fix: 'Lower the quantity or raise the rule\'s maximum order quantity.' },
  NOTIONAL_EXCEEDS_MAX: { http: 409, message: 'The order value exceeds the maximum notional.', fix: 'Lower the quantity or raise the maximum order notional.' },
  POSITION_EXCEEDS_MAX: { http: 409, message: 'The resulting position would exceed the maximum position.', fix: 'Lower the quantity or raise the maximum position for the symbol.' },
  OPEN_POSITIONS_EXCEEDS_MAX: { http: 409, message: 'The maximum number of open positions is reached.', fix: 'Close a position or raise the maximum open positions.' },
  EXPOSURE_EXCEEDS_MAX: { http: 409, message: 'The gross exposure would exceed the maximum.', fix: 'Reduce positions or raise the maximum gross exposure.' },
  ORDER_RATE_EXCEEDED: { http: 409, message: 'Too many orders per minute or per day.', fix: 'Wait, or raise the order-rate limits in the risk rules.' },
  DAILY_LOSS_LIMIT: { http: 409, message: 'The daily loss limit is reached.', fix: 'Trading resumes tomorrow, or raise the limit deliberately.' },
  DRAWDOWN_LIMIT: { http: 409, message: 'The drawdown from today\'s equity high exceeds the limit.', fix: 'Review the day\'s trades; raise the limit deliberately to continue.' },
  COOLDOWN_ACTIVE: { http: 409, message: 'The cooldown after a loss or exit is still running.', fix: 'Wait for the cooldown to end or shorten it in the risk rules.' },
  PRICE_OUT_OF_BAND: { http: 409, message: 'The limit / stop price is too far from the last known price.', fix: 'Check the price in the alert, or widen the price sanity band.' },
  DUPLICATE_ORDER: { http: 409, message: 'The same order (symbol and side) was sent moments ago.', fix: 'This guard stops doubled alerts; widen or disable it in the risk rules.' },
  MARKET_CLOSED: { http: 409, message: 'The market for this asset class is closed.', fix: 'Use extended hours if the broker supports them, or wait for the open.' },
  // A late alert is accepted (202) and judged when it is processed: what only reduces or closes still runs.
  STALE_ALERT: { http: 409, message: 'The alert is older than the strategy\'s maximum age, so it may not open or add to a position.', fix: 'Check the machine clock and the tunnel: the alert was delivered late. A late alert still closes or reduces a position; raise maxAlertAgeSeconds only if such delays are expected.' },
  OUTSIDE_TRADING_WINDOW: { http: 409, message: 'The alert arrived outside the strategy\'s trading window.', fix: 'Change the trading windows, or set ignoreTradingWindows in the alert.' },
  ADD_NOT_ALLOWED: { http: 409, message: 'The strategy does not add to an existing position.', fix: 'Enable "allow adding to a position" in the strategy.' },
  NOTHING_TO_DO: { http: 409, message: 'The account already holds the target position; no order is needed.', fix: 'Nothing to fix: a re-sent or repeated alert changes nothing.' },
  NO_POSITION: { http: 409, message: 'There is no position to exit.', fix: 'Nothing to fix unless you expected a position; check the Positions page.' },
  QUANTITY_ROUNDS_TO_ZERO: { http: 409, message: 'The order size rounds to zero at the instrument\'s lot size.', fix: 'Raise the quantity or the sizing amount.' },
  CAPABILITY_UNSUPPORTED: { http: 409, message: 'The broker does not support this kind of order, so the agent did not send it (the broker never saw it).', fix: 'Change the order type or time in force for this account; the order\'s reason says what the broker does not take.' },
  APPROVAL_EXPIRED: { http: 409, message: 'The order waited for manual approval and expired.', fix: 'Approve orders sooner, or lengthen the approval timeout.' },
  APPROVAL_REJECTED: { http: 409, message: 'The order was rejected by hand.', fix: 'Nothing to fix.' },
  APPROVAL_REQUIRED: { http: 409, message: 'The strategy asks for manual approval, but no approval queue is running, so the order was not sent.', fix: 'Restart the agent; if it persists, set the strategy\'s approval mode to automatic.' },
  EXIT_NOT_FILLED: { http: 409, message: 'The entry after a reversal was not sent because the exit did not fill in time.', fix: 'Check the exit order on the Orders page; send the entry again once the position is closed.' },
  ORDER_NOT_SENT: { http: 409, message: 'The alert\'s order was closed before it reached the broker, so the alert did not trade.', fix: 'Read the order\'s reason on the Orders page; send the alert again if you still want the trade.' },
  ACCOUNT_UNAVAILABLE: { http: 409, message: 'The broker account is not connected.', fix: 'Check the account\'s credentials and test the connection.' },
  PRICE_UNAVAILABLE: { http: 409, message: 'No price is known to size the order or check it against a limit.', fix: 'Send "price": "{{close}}" in the alert, or use a limit price.' },
  STOP_LOSS_REQUIRED: { http: 409, message: 'Risk-based sizing needs a stop loss, and the order has none (or it sits at the entry price).', fix: 'Send a stopLoss with the alert, or set a default stop loss in the strategy.' },
  BRACKET_WRONG_SIDE: { http: 409, message: 'A take profit or stop loss is on the wrong side of the entry price, so it would fill at once.', fix: 'For a long (buy) put the take profit above the entry price and the stop loss below it; for a short (sell) the reverse. The message names the field, the entry price and the price to change.' },
  QUANTITY_BELOW_MIN: { http: 409, message: 'The order size is below the instrument\'s minimum quantity.', fix: 'Raise the quantity or the sizing amount.' },
  SIZING_NEEDS_CONVERSION: { http: 409, message: 'A money amount (dollar, percent-of-equity or risk sizing, or a notional or exposure limit) cannot be turned into a quantity of this instrument: neither its quote currency nor its base currency is the account currency, so the amount would need an exchange rate the agent does not have. A stablecoin (USDT, USDC) is not the same currency as USD. The paper broker rejects an order that would open or add to a position in such an instrument for the same reason: it could not count the position\'s P&L in the account currency.', fix: 'Use fixed_quantity sizing for this instrument (and a maximum order quantity instead of a notional limit), or trade it from an account whose currency is the instrument\'s quote currency (on paper: a paper account in that currency).' },
  CONTRACT_SIZE_UNKNOWN: { http: 409, message: 'The size of one contract of this instrument (a future\'s point value, the money per 1.0 of price) is not known, so a money amount cannot be turned into contracts. The paper broker rejects an order that would open or add to a position in it: it could not count its P&L.', fix: 'Use fixed_quantity sizing for this instrument (not on paper, which cannot count it); the futures roots with a known point value are listed in docs/strategy-and-risk.md (Sizing).' },
  LOT_SIZE_UNKNOWN: { http: 409, message: 'The alert gives its size in lots, and the number of units in a lot of this instrument is not known (lots are sized for forex pairs, XAU and XAG only).', fix: 'Send the quantity in units or contracts (a JSON alert with "quantity"), or use vol_lots= only on forex pairs, gold and silver.' },
  QUANTITY_NOT_WHOLE: { http: 409, message: 'The order is for a fraction of a unit this instrument trades only whole: a futures contract (or, on a paper account with fractional quantities off, a share). The broker refused it before it reached its books.', fix: 'Send a whole number of contracts (1, not 0.5). Money-based sizing (dollar amount, percent of equity, risk) rounds down to whole contracts by itself, and a fractional alert quantity is rounded down to the lot; on paper, enable fractional quantities in the account settings to trade fractions of a share.' },

  // --- broker outcomes ---------------------------------------------------------------------------------
  BROKER_REJECTED: { http: 502, message: 'The broker rejected the order (it reached the broker, which refused it).', fix: 'Read the broker\'s reason on the order page.' },
  INSUFFICIENT_FUNDS: { http: 502, message: 'The broker reports insufficient buying power.', fix: 'Lower the size or add funds.' },
  BROKER_RATE_LIMITED: { http: 502, message: 'The broker rate-limited the agent.', fix: 'The agent slows down by itself; reduce order frequency if it persists.' },
  BROKER_UNREACHABLE: { http: 502, message: 'The broker could not be reached.', fix: 'Check the internet connection and the broker status page.' },
  BROKER_AUTH_FAILED: { http: 502, message: 'The broker refused the credentials.', fix: 'Re-enter the API keys, and check paper vs live environment.' },
  BROKER_OUTCOME_UNKNOWN: { http: 502, message: 'The broker did not answer in time; the order outcome is being reconciled.', fix: 'Wait for reconciliation; do not re-send the alert by hand.' },
  BROKER_CIRCUIT_OPEN: { http: 503, message: 'Broker requests failed repeatedly, so the agent stopped new orders on this account.', fix: 'Check the broker\'s status page and your connection, then resume trading on the account.' },
  BRACKET_LEGS_CANCELED: { http: 409, message: 'A bracket entry was canceled or expired after filling in part, and the broker canceled its take-profit and stop-loss with it (Alpaca starts them only once the entry has filled completely), so the filled quantity had no exits. The notice names the account, the symbol and the quantity.', fix: 'The agent places the bracket\'s take-profit and stop-loss for the filled quantity itself (one cancelling the other), shown under the entry on the Orders page. When the notice says it placed none (a later alert canceled the entry) or that its order was not placed, close the position or place a stop at the broker.' },
  RECONCILE_MISMATCH: { http: 409, message: 'The broker\'s orders or positions differ from the agent\'s records in a way the agent cannot explain; trading on the account is halted.', fix: 'Compare the broker\'s positions with the Positions page, correct them (or accept the broker\'s positions), then resume trading.' },

  // --- control API -------------------------------------------------------------------------------------
  UNAUTHORIZED: { http: 401, message: 'The control token is missing or wrong.', fix: 'Open the UI address printed at start, or pass the token from <data-dir>/control-token.' },
  FORBIDDEN_HOST: { http: 403, message: 'The request Host or Origin is not this machine\'s loopback address.', fix: 'Open the UI at http://127.0.0.1:<control-port>/.' },
  NOT_FOUND: { http: 404, message: 'No such resource.', fix: 'Check the path; see docs/api.md.' },
  VALIDATION_FAILED: { http: 400, message: 'The request body does not match the API schema.', fix: 'See the listed errors and docs/api.md.' },
  CONFLICT: { http: 409, message: 'The request conflicts with the current state.', fix: 'Reload and try again.' },
  VAULT_UNAVAILABLE: { http: 503, message: 'The OS keychain is not available, so credentials cannot be stored.', fix: 'See docs/credentials.md for how to enable the keychain, or use VIEWZENIX_SECRET_* variables.' },
  INTERNAL_ERROR: { http: 500, message: 'Something went wrong inside the agent.', fix: 'The log has the details under the request id in this answer.' },
  SECRET_NAME_INVALID: { http: 400, message: 'That is not a valid credential name.', fix: 'Use broker:<account-id>:<field>, tunnel:<ngrok|cloudflared|localtunnel>:<field> or notify:<channel>[:<field>] (docs/credentials.md).' },
  TUNNEL_NOT_CONFIGURED: { http: 409, message: 'No tunnel provider is chosen yet.', fix: 'Choose a provider in Settings > Tunnel (PUT /api/tunnel, or `viewzenix tunnel start --provider ...`).' },
  TUNNEL_CONFIG_INVALID: { http: 400, message: 'The tunnel settings cannot work.', fix: 'Fix the field named in the message in Settings > Tunnel (docs/tunnel.md).' },
  TUNNEL_URL_CHANGED: { http: 409, message: 'The tunnel\'s public URL changed; TradingView alerts still point at the old one and are lost until edited.', fix: 'Edit the webhook URL of every TradingView alert to the new URL, or use a stable URL (ngrok reserved domain, named Cloudflare tunnel, manual).' },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

export function isCode(value: unknown): value is Code {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CODES, value);
}

/** `POSITION_EXCEEDS_MAX: symbol=AAPL, position=120, max=100` — the code followed by its values. */
export function describeDenial(code: Code, values: Record<string, string | number | undefined> = {}): string {
  const parts = Object.entries(values)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? `${code}: ${parts.join(', ')}` : code;
}
