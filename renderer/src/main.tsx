// Entry: deliberately small. It takes the control token, asks the agent for the data the opening page shows first,
// then loads the UI code (boot.tsx). The agent answers while the browser downloads and parses React, instead of
// after; the API client picks the early answer up (api/preload.ts).
import { takeToken } from './api/token.js';
import { preloadGet } from './api/preload.js';
import { routeSegments } from './lib/route-path.js';
import { applyTheme, loadTheme } from './lib/theme.js';
import { defaultFirstPagePath } from './pages/orders-query.js';
import './styles.css';

applyTheme(loadTheme());

const token = takeToken();
const [page, id] = routeSegments();
if (token && page === 'orders' && id === undefined) {
  preloadGet(defaultFirstPagePath(), token);
}
void import('./boot.js');
