// Entry: deliberately small. It takes the control token, asks the agent for the data the opening page shows first,
// then loads the UI code (boot.tsx). The agent answers while the browser downloads and parses React, instead of
// after; the API client picks the early answer up (api/preload.ts). On the orders page the first rows are painted
// from that answer as soon as it arrives (early-orders.ts), and React takes over from the same answer.
import { takeToken } from './api/token.js';
import { preloadGet } from './api/preload.js';
import { routeSegments } from './lib/route-path.js';
import { applyTheme, loadTheme } from './lib/theme.js';
import { defaultFirstPagePath } from './pages/orders-query.js';
import { paintOrdersEarly } from './early-orders.js';
import './styles.css';

applyTheme(loadTheme());

const token = takeToken();
const [page, id] = routeSegments();
/** How long the app's code waits for the orders page's early rows before it loads anyway. */
const EARLY_ROWS_WAIT_MS = 400;

if (token && page === 'orders' && id === undefined) {
  preloadGet(defaultFirstPagePath(), token);
  // Downloading, compiling and running the app's code takes the main thread (and, on two cores, the agent's CPU)
  // for most of a second on a slow machine, so the rows are painted first. The wait is for an answer the app
  // needs anyway.
  const painted = paintOrdersEarly(document.getElementById('root')!, token);
  void Promise.race([painted, new Promise((r) => setTimeout(r, EARLY_ROWS_WAIT_MS))]).then(() => import('./boot.js'));
} else {
  void import('./boot.js');
}
