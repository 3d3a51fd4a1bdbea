// The orders page's first rows, painted by the entry script from the early answer (api/preload.ts) with plain DOM
// calls, before React has downloaded and parsed: on a slow machine that is most of a second. The shell drawn here
// uses the app's own classes and the table's own columns (pages/orders-columns.ts), and React starts from the
// same answer (boot.tsx), so its first render replaces these rows with identical ones: the trader sees the rows
// sooner, never different ones. Nothing here runs once React has taken over.
import type { OrderView } from '../../shared/api-types.js';
import { ORDER_STATUSES } from '../../shared/order-status.js';
import { preloadedBody, takeArrivedBody } from './api/preload.js';
import { PAGES } from './lib/pages.js';
import { routeSegments } from './lib/route-path.js';
import { pillClass, stateLabel } from './lib/status-tone.js';
import { cellClass, ORDER_COLUMNS, ordersTotalText, ROW_HEIGHT } from './pages/orders-columns.js';
import { DEFAULT_DIRECTION, DEFAULT_SORT, defaultFirstPagePath } from './pages/orders-query.js';

export interface OrdersPageBody {
  items: OrderView[];
  total: number;
}


let started: { token: string } | undefined;
let handedOver = false;

export function isOrdersPageBody(b: unknown): b is OrdersPageBody {
  const o = b as Partial<OrdersPageBody> | null;
  return typeof o === 'object' && o !== null && Array.isArray(o.items) && typeof o.total === 'number';
}

/** Called by the entry script on the unfiltered orders page, after preloadGet(defaultFirstPagePath()). Settles
 *  once the rows are on screen (after the frame that paints them), or as soon as it is clear they will not be. */
export function paintOrdersEarly(root: HTMLElement, token: string): Promise<void> {
  started = { token };
  return preloadedBody(defaultFirstPagePath(), token).then((body) => {
    const [page, id] = routeSegments();
    if (handedOver || page !== 'orders' || id !== undefined || !isOrdersPageBody(body) || body.items.length === 0) return;
    if (root.childElementCount > 0) return;
    root.append(ordersShell(body));
    performance.mark('vz-orders-first-rows');
    // Let the browser paint them before the app's code takes the main thread for a while.
    return new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  });
}

/** Called by the app before its first render: no early paint happens after this. Returns the first page's body
 *  when it has already arrived, for the app to start from. */
export function handOverEarlyOrders(): OrdersPageBody | undefined {
  handedOver = true;
  if (!started) return undefined;
  const arrived = takeArrivedBody(defaultFirstPagePath(), started.token);
  return arrived && isOrdersPageBody(arrived.body) ? arrived.body : undefined;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function ordersShell(body: OrdersPageBody): HTMLElement {
  const nav = el('nav', { class: 'nav', 'aria-label': 'Pages' }, ...PAGES.map(([path, label]) => el('a', { class: 'nav-link', href: `#/${path}`, ...(path === 'orders' ? { 'aria-current': 'page' } : {}) }, label)));
  const page = el('div', { class: 'page page-fill' }, el('h1', {}, 'Orders'), filters(), el('p', { class: 'muted small', role: 'status', 'data-testid': 'orders-total' }, ordersTotalText(body.total)), table(body));
  const side = el('div', { class: 'side' }, nav, el('div', { class: 'side-foot' }, el('button', { type: 'button', class: 'btn small', disabled: '' }, 'Theme: …')));
  return el('div', { class: 'app', 'aria-busy': 'true' }, header(), el('div', { class: 'body' }, side, el('main', { id: 'main', tabindex: '-1' }, page)));
}

/** The header's frame with its labels and nothing known yet, so the page below does not move much when the app
 *  fills it in. Its buttons are disabled: they act only once the app runs. */
function header(): HTMLElement {
  const unknown = () => el('span', { class: 'muted' }, '…');
  const badge = (label: string) => el('div', { class: 'badge' }, el('span', { class: 'label' }, label), unknown());
  return el(
    'header',
    { class: 'header' },
    el('div', { class: 'brand' }, el('strong', {}, 'Viewzenix')),
    el('div', { class: 'trading-controls' }, el('span', { class: 'label' }, 'Trading'), unknown(), el('button', { type: 'button', class: 'btn', disabled: '' }, 'Halt trading'), el('button', { type: 'button', class: 'btn warn', disabled: '' }, 'Flatten all…')),
    el('div', { class: 'badges' }, badge('Approvals'), badge('Tunnel'), badge('Brokers'), badge('Open P&L')),
  );
}

/** The filter bar, disabled until the app takes over (what is typed here would be lost). */
function filters(): HTMLElement {
  const field = (label: string, control: HTMLElement) => el('label', {}, `${label} `, control);
  return el(
    'div',
    { class: 'filters', role: 'search' },
    field('Status', el('select', { disabled: '' }, el('option', {}, 'all'), ...ORDER_STATUSES.map((st) => el('option', {}, stateLabel(st))))),
    field('Symbol', el('input', { disabled: '', placeholder: 'AAPL', size: '10' })),
    field('Search', el('input', { disabled: '', type: 'search', placeholder: 'id, client id, symbol' })),
  );
}

function table(body: OrdersPageBody): HTMLElement {
  const arrow = DEFAULT_DIRECTION === 'asc' ? '▲' : '▼';
  const head = el(
    'div',
    { class: 'vrow vhead', role: 'row', 'aria-rowindex': '1' },
    ...ORDER_COLUMNS.map((c) => {
      const attrs: Record<string, string> = { role: 'columnheader', class: `vcell ${c.className ?? ''}` };
      if (c.sort) attrs['aria-sort'] = c.sort === DEFAULT_SORT ? (DEFAULT_DIRECTION === 'asc' ? 'ascending' : 'descending') : 'none';
      return el('div', attrs, c.sort ? el('button', { type: 'button', class: 'sort' }, `${c.label} ${c.sort === DEFAULT_SORT ? arrow : ''}`) : c.label);
    }),
  );
  // A window's height of rows (the page's own header takes part of it); React draws the rest.
  const rows = body.items.slice(0, Math.ceil(window.innerHeight / ROW_HEIGHT)).map((o, index) =>
    el(
      'div',
      { role: 'row', 'aria-rowindex': String(index + 2), class: 'vrow', 'data-testid': 'order', style: `position: absolute; top: 0; left: 0; right: 0; height: ${ROW_HEIGHT}px; transform: translateY(${index * ROW_HEIGHT}px)` },
      ...ORDER_COLUMNS.map((c) => {
        const text = c.text(o);
        const content = c.kind === 'link' ? el('a', { href: `#/orders/${encodeURIComponent(o.id)}` }, text) : c.kind === 'pill' ? el('span', { class: pillClass(text) }, stateLabel(text)) : text;
        return el('div', { role: 'cell', class: cellClass(c, o) }, content);
      }),
    ),
  );
  const scroll = el('div', { class: 'vbody', 'data-testid': 'orders-scroll' }, el('div', { style: `height: ${body.total * ROW_HEIGHT}px; position: relative` }, ...rows));
  return el('div', { class: 'vtable', role: 'table', 'aria-label': 'Orders', 'aria-rowcount': String(body.total + 1) }, head, scroll);
}
