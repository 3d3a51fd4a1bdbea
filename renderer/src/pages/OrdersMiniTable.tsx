// A short, non-virtualised order list (dashboard, signal page).
import type { OrderView } from '../../../shared/api-types.js';
import { formatTime } from '../lib/format.js';
import { StatusPill } from '../components/StatusPill.js';
import { Link } from '../lib/router.js';

export function OrdersMiniTable({ orders }: { orders: OrderView[] }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Created</th>
            <th scope="col">Symbol</th>
            <th scope="col">Side</th>
            <th scope="col">Qty</th>
            <th scope="col">Status</th>
            <th scope="col">Avg price</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => (
            <tr key={o.id} data-testid="order">
              <td>
                <Link to={`/orders/${o.id}`}>{formatTime(o.createdAt)}</Link>
              </td>
              <td>{o.symbol}</td>
              <td className={o.side}>{o.side}</td>
              <td className="num">{o.quantity}</td>
              <td>
                <StatusPill value={o.status} />
              </td>
              <td className="num">{o.averageFillPrice ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
