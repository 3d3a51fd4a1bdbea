// A compact list of signals: time, symbol, status and the reason in plain words.
import type { SignalView } from '../../../shared/api-types.js';
import { formatTime } from '../lib/format.js';
import { StatusPill } from '../components/StatusPill.js';
import { CodeExplain } from '../components/CodeExplain.js';
import { Link } from '../lib/router.js';

export function SignalsTable({ signals, strategyName }: { signals: SignalView[]; strategyName?: (id: string) => string }) {
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Received</th>
            <th scope="col">Symbol</th>
            {strategyName && <th scope="col">Strategy</th>}
            <th scope="col">Status</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {signals.map((s) => (
            <tr key={s.id} data-testid="signal">
              <td>
                <Link to={`/signals/${s.id}`}>{formatTime(s.receivedAt)}</Link>
              </td>
              <td>{s.symbol ?? s.parsed?.symbol ?? '—'}</td>
              {strategyName && <td>{strategyName(s.strategyId)}</td>}
              <td>
                <StatusPill value={s.status} />
              </td>
              <td>{s.code || s.message ? <CodeExplain code={s.code} detail={s.message} compact /> : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
