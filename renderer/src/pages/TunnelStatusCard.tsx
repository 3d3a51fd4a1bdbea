// The tunnel's live state: public URL, last end-to-end check, last error in plain words, start / stop / check.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { keys } from '../api/keys.js';
import { useTunnel } from '../api/hooks.js';
import { isNotAvailable } from '../api/client.js';
import { formatTime } from '../lib/format.js';
import { StatusPill } from '../components/StatusPill.js';
import { CopyButton } from '../components/CopyButton.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { NotAvailable } from '../components/NotAvailable.js';

export function TunnelStatusCard() {
  const api = useApi();
  const qc = useQueryClient();
  const t = useTunnel();
  const act = useMutation({
    mutationFn: (a: 'start' | 'stop' | 'check') => api.tunnelAction(a),
    onSuccess: (s) => {
      qc.setQueryData(keys.tunnel, s);
      void qc.invalidateQueries({ queryKey: keys.strategies });
    },
  });
  if (t.notAvailable) {
    return (
      <section className="card" aria-labelledby="tunnel">
        <h2 id="tunnel">Tunnel</h2>
        <NotAvailable what="Tunnel control" />
        <p className="muted small">Meanwhile, run a tunnel yourself (for example <code>ngrok http &lt;webhook port&gt;</code>) and use its https URL.</p>
      </section>
    );
  }
  const s = t.data;
  return (
    <section className="card" aria-labelledby="tunnel">
      <h2 id="tunnel">Tunnel</h2>
      <ErrorBox error={t.error} title="The tunnel status could not be loaded" />
      {s && (
        <>
          <dl className="facts">
            <dt>State</dt>
            <dd>
              <StatusPill value={s.state} />
              {s.since ? ` since ${formatTime(s.since)}` : ''}
              {s.provider ? ` · ${s.provider}` : ' · no provider chosen yet'}
            </dd>
            <dt>Public URL</dt>
            <dd className="row wrap">
              {s.publicUrl ? (
                <>
                  <code className="url">{s.publicUrl}</code> <CopyButton text={s.publicUrl} label="Copy" />
                </>
              ) : (
                '—'
              )}
            </dd>
            <dt>Last check</dt>
            <dd>{s.lastCheck ? `${formatTime(s.lastCheck.at)}: ${s.lastCheck.arrived ? `arrived in ${s.lastCheck.latencyMs} ms` : `failed — ${s.lastCheck.error ?? ''}`}` : 'not yet'}</dd>
            {s.lastError && (
              <>
                <dt>Problem</dt>
                <dd>
                  <code>{s.lastError.code}</code> {s.lastError.message} {s.lastError.fix && <span className="muted">— {s.lastError.fix}</span>}
                </dd>
              </>
            )}
            {s.nextRetryAt && (
              <>
                <dt>Next retry</dt>
                <dd>
                  {formatTime(s.nextRetryAt)} (attempt {s.reconnectAttempts})
                </dd>
              </>
            )}
          </dl>
          <div className="row">
            {s.state === 'stopped' ? (
              <button type="button" className="btn primary" onClick={() => act.mutate('start')} disabled={act.isPending}>
                Start tunnel
              </button>
            ) : (
              <button type="button" className="btn" onClick={() => act.mutate('stop')} disabled={act.isPending}>
                Stop tunnel
              </button>
            )}
            <button type="button" className="btn" onClick={() => act.mutate('check')} disabled={act.isPending || s.state === 'stopped'}>
              Check now
            </button>
          </div>
          {isNotAvailable(act.error) ? <NotAvailable what="This tunnel action" /> : <ErrorBox error={act.error} title="The tunnel did not do that" />}
        </>
      )}
    </section>
  );
}
