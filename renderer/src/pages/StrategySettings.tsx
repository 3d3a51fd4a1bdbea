// A strategy's trading, approval and risk settings as they apply (stored values over the defaults), with a link
// to edit them; the whole stored config is one click away, so nothing is hidden.
import type { StrategyView } from '../../../shared/api-types.js';
import { effectiveStrategySettings, riskSummary } from '../lib/strategy-form.js';
import { Link } from '../lib/router.js';
import { APPROVAL_LABELS, label, OPPOSITE_LABELS, ORDER_TYPE_LABELS, SIDES_LABELS, SIZING_LABELS, TIF_LABELS } from './strategy-labels.js';

export function StrategySettings({ strategy: s }: { strategy: StrategyView }) {
  const c = effectiveStrategySettings(s.config);
  const risk = riskSummary(s.config);
  const perAccount = s.config.accounts && typeof s.config.accounts === 'object' ? Object.keys(s.config.accounts) : [];
  const rows: [string, string, string][] = [
    ['Status', s.enabled ? 'enabled' : 'disabled: its alerts are refused', 'enabled'],
    ['Passphrase', s.hasPassphrase ? 'set' : 'none', 'passphrase'],
    ['Approval', `${label(APPROVAL_LABELS, c.approval.mode)}${c.approval.mode === 'manual' ? ` (expires after ${c.approval.timeoutSeconds} s)` : ''}`, 'approval'],
    ['Sides', label(SIDES_LABELS, c.sides), 'sides'],
    ['A buy while short', label(OPPOSITE_LABELS, c.oppositeSignal), 'oppositeSignal'],
    ['Adding to a position', c.allowAdd ? 'allowed' : 'refused (ADD_NOT_ALLOWED)', 'allowAdd'],
    ['Quantity', c.useSignalQuantity ? `the alert's; otherwise ${label(SIZING_LABELS, c.sizing.method).toLowerCase()} ${c.sizing.amount}` : `${label(SIZING_LABELS, c.sizing.method).toLowerCase()} ${c.sizing.amount}`, 'sizing'],
    ['Order type', `${c.useSignalOrderType ? "the alert's, else " : ''}${label(ORDER_TYPE_LABELS, c.orderType)}; exits ${label(ORDER_TYPE_LABELS, c.exitOrderType)}`, 'orderType'],
    ['Time in force', `${c.useSignalTimeInForce ? "the alert's, else " : ''}${label(TIF_LABELS, c.timeInForce)}`, 'timeInForce'],
    ['Maximum alert age', `${c.maxAlertAgeSeconds} s`, 'maxAlertAgeSeconds'],
  ];
  return (
    <section aria-labelledby={`settings-${s.id}`} className="card" data-testid="strategy-settings">
      <div className="row between">
        <h2 id={`settings-${s.id}`}>Settings</h2>
        <Link to={`/strategies/${s.id}/edit`} className="btn small" data-testid="strategy-edit">
          Edit…
        </Link>
      </div>
      <table className="kv">
        <tbody>
          {rows.map(([k, v, id]) => (
            <tr key={id} data-testid={`setting-${id}`}>
              <th scope="row">{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Risk limits</h3>
      <table className="kv">
        <tbody>
          {risk.map((r) => (
            <tr key={r.key} data-testid={`risk-${r.key}`}>
              <th scope="row">{r.label}</th>
              <td className={r.source === 'strategy' ? '' : 'muted'}>{r.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {perAccount.length > 0 && <p className="muted small">Some accounts change these settings for themselves: {perAccount.join(', ')} (see the stored settings below).</p>}
      <details>
        <summary>Stored settings (as the agent has them)</summary>
        <pre className="json">{JSON.stringify(s.config, null, 2)}</pre>
      </details>
    </section>
  );
}
