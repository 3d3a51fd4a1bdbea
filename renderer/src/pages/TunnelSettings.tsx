// Which tunnel to use and its options. A token typed here goes to the keychain through the agent.
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { keys } from '../api/keys.js';
import { useTunnel } from '../api/hooks.js';
import { isNotAvailable } from '../api/client.js';
import type { TunnelProviderKind, TunnelSettings } from '../api/types.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { NotAvailable } from '../components/NotAvailable.js';

const PROVIDERS: { id: TunnelProviderKind; label: string; help: string }[] = [
  { id: 'ngrok', label: 'ngrok', help: 'Needs a free ngrok account. With your reserved domain the URL never changes.' },
  { id: 'cloudflared', label: 'Cloudflare (cloudflared)', help: 'Needs cloudflared installed. A quick tunnel gets a new URL at every start; a named tunnel keeps yours.' },
  { id: 'localtunnel', label: 'localtunnel', help: 'Nothing to set up; less reliable.' },
  { id: 'manual', label: 'My own URL', help: 'A reverse proxy, Tailscale Funnel or router forwarding to the webhook port, on https.' },
];

export function TunnelSettingsForm() {
  const api = useApi();
  const qc = useQueryClient();
  const t = useTunnel();
  const [form, setForm] = useState<TunnelSettings>({ provider: 'ngrok', autoStart: true });
  useEffect(() => {
    if (t.data?.settings) setForm({ ...t.data.settings });
    else if (t.data) setForm((f) => ({ ...f, provider: t.data!.provider }));
  }, [t.data]);
  const save = useMutation({
    mutationFn: () => api.saveTunnel(form),
    onSuccess: (s) => {
      setForm((f) => ({ ...f, token: undefined }));
      qc.setQueryData(keys.tunnel, s);
      void qc.invalidateQueries({ queryKey: keys.strategies });
    },
  });
  if (t.notAvailable) return null;
  const set = (patch: Partial<TunnelSettings>) => setForm({ ...form, ...patch });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const p = form.provider;
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="tunnel-settings" autoComplete="off">
      <h2 id="tunnel-settings">Tunnel settings</h2>
      <fieldset>
        <legend>Provider</legend>
        {PROVIDERS.map((x) => (
          <label key={x.id} className="check">
            <input type="radio" name="provider" checked={p === x.id} onChange={() => set({ provider: x.id })} /> {x.label} <span className="muted small">— {x.help}</span>
          </label>
        ))}
      </fieldset>
      {p === 'ngrok' && (
        <>
          <label>
            Authtoken (stored in the keychain; leave empty to keep the saved one)
            <input type="password" value={form.token ?? ''} onChange={(e) => set({ token: e.target.value })} />
          </label>
          <label>
            Reserved domain (optional)
            <input value={form.domain ?? ''} onChange={(e) => set({ domain: e.target.value })} placeholder="my-name.ngrok-free.app" />
          </label>
          <label className="check">
            <input type="checkbox" checked={form.tradingViewOnly ?? false} onChange={(e) => set({ tradingViewOnly: e.target.checked })} /> Let only TradingView's addresses through
          </label>
        </>
      )}
      {p === 'cloudflared' && (
        <label>
          Named tunnel token (optional; empty = quick tunnel)
          <input type="password" value={form.token ?? ''} onChange={(e) => set({ token: e.target.value })} />
        </label>
      )}
      {p === 'cloudflared' && (
        <label>
          Named tunnel hostname (optional)
          <input value={form.domain ?? ''} onChange={(e) => set({ domain: e.target.value })} placeholder="alerts.example.com" />
        </label>
      )}
      {p === 'localtunnel' && (
        <>
          <label>
            Server (optional)
            <input value={form.host ?? ''} onChange={(e) => set({ host: e.target.value })} placeholder="https://localtunnel.me" />
          </label>
          <label>
            Subdomain (optional)
            <input value={form.subdomain ?? ''} onChange={(e) => set({ subdomain: e.target.value })} />
          </label>
        </>
      )}
      {p === 'manual' && (
        <label>
          Public URL
          <input value={form.url ?? ''} onChange={(e) => set({ url: e.target.value })} placeholder="https://alerts.example.com" />
        </label>
      )}
      <label className="check">
        <input type="checkbox" checked={form.autoStart ?? false} onChange={(e) => set({ autoStart: e.target.checked })} /> Start the tunnel with the agent
      </label>
      {isNotAvailable(save.error) ? <NotAvailable what="Saving tunnel settings" /> : <ErrorBox error={save.error} title="The tunnel settings were not saved" />}
      {save.isSuccess && <p role="status" className="ok-line">Saved.</p>}
      <button type="submit" className="btn primary" disabled={save.isPending}>
        Save
      </button>
    </form>
  );
}
