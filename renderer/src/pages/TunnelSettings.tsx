// Which tunnel to use and its options. PUT /api/tunnel gets only the chosen provider and its section; a token typed
// here goes to the keychain (PUT /api/credentials/:name) under that provider's own name, and is never shown again.
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context.js';
import { keys } from '../api/keys.js';
import { useCredentialNames, useTunnel } from '../api/hooks.js';
import { isNotAvailable } from '../api/client.js';
import type { TunnelProviderKind } from '../api/types.js';
import { CLOUDFLARED_TOKEN_NAME, formFromSettings, NGROK_AUTHTOKEN_NAME, tokenWrites, tunnelRequest, type TunnelForm } from '../lib/tunnel-form.js';
import { ErrorBox } from '../components/ErrorBox.js';
import { NotAvailable } from '../components/NotAvailable.js';

const PROVIDERS: { id: TunnelProviderKind; label: string; help: string }[] = [
  { id: 'ngrok', label: 'ngrok', help: 'Needs a free ngrok account. With your reserved domain the URL never changes.' },
  { id: 'cloudflared', label: 'Cloudflare (cloudflared)', help: 'Needs cloudflared installed. A quick tunnel gets a new URL at every start; a named tunnel keeps yours.' },
  { id: 'localtunnel', label: 'localtunnel', help: 'Nothing to set up; less reliable.' },
  { id: 'manual', label: 'My own URL', help: 'A reverse proxy, Tailscale Funnel or router forwarding to the webhook port, on https.' },
];

/** "set" / "not set" for a keychain entry; unknown when the keychain cannot be listed. */
function TokenState({ names, name }: { names: string[] | undefined; name: string }) {
  if (!names) return <span className="muted small">(cannot tell whether one is stored)</span>;
  const set = names.includes(name);
  return (
    <span className="muted small" data-testid={`token-state-${name}`}>
      {set ? 'A token is stored in the keychain.' : 'No token in the keychain yet.'}
    </span>
  );
}

export function TunnelSettingsForm() {
  const api = useApi();
  const qc = useQueryClient();
  const t = useTunnel();
  const creds = useCredentialNames();
  const [form, setForm] = useState<TunnelForm>(() => formFromSettings(undefined));
  // Filled once from the saved settings: the status refetches and live tunnel events must not wipe what is typed.
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    if (!loaded && t.data) {
      setForm(formFromSettings(t.data.settings));
      setLoaded(true);
    }
  }, [t.data, loaded]);
  const save = useMutation({
    mutationFn: async (f: TunnelForm) => {
      // The token first: a running tunnel restarted by the new settings then reads it.
      for (const w of tokenWrites(f)) await api.setCredential(w.name, w.value);
      return api.saveTunnel(tunnelRequest(f));
    },
    onSuccess: (s) => {
      setForm(formFromSettings(s.settings)); // the typed tokens are in the keychain now and are never shown again
      qc.setQueryData(keys.tunnel, s);
      void qc.invalidateQueries({ queryKey: keys.strategies });
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: keys.credentials }),
  });
  if (t.notAvailable) return null;
  const set = (patch: Partial<TunnelForm>) => setForm((f) => ({ ...f, ...patch }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(form);
  };
  const p = form.provider;
  const names = creds.data;
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="tunnel-settings" autoComplete="off" data-testid="tunnel-form">
      <h2 id="tunnel-settings">Tunnel settings</h2>
      <fieldset>
        <legend>Provider</legend>
        {PROVIDERS.map((x) => (
          <label key={x.id} className="check">
            <input type="radio" name="provider" value={x.id} checked={p === x.id} onChange={() => set({ provider: x.id })} data-testid={`tunnel-provider-${x.id}`} /> {x.label}{' '}
            <span className="muted small">— {x.help}</span>
          </label>
        ))}
      </fieldset>
      {p === 'ngrok' && (
        <>
          <label>
            Authtoken (stored in the keychain; leave empty to keep the saved one) <TokenState names={names} name={NGROK_AUTHTOKEN_NAME} />
            <input type="password" value={form.ngrokToken} onChange={(e) => set({ ngrokToken: e.target.value })} data-testid="ngrok-token" />
          </label>
          <label>
            Reserved domain (optional)
            <input value={form.ngrokDomain} onChange={(e) => set({ ngrokDomain: e.target.value })} placeholder="my-name.ngrok-free.app" data-testid="ngrok-domain" />
          </label>
          <label className="check">
            <input type="checkbox" checked={form.ngrokRestrictToTradingView} onChange={(e) => set({ ngrokRestrictToTradingView: e.target.checked })} data-testid="ngrok-restrict" /> Let only TradingView's addresses
            through
          </label>
        </>
      )}
      {p === 'cloudflared' && (
        <>
          <fieldset>
            <legend>Cloudflare tunnel</legend>
            <label className="check">
              <input type="radio" name="cloudflared-mode" checked={form.cloudflaredMode === 'quick'} onChange={() => set({ cloudflaredMode: 'quick' })} /> Quick tunnel (no account; a new URL at every start)
            </label>
            <label className="check">
              <input type="radio" name="cloudflared-mode" checked={form.cloudflaredMode === 'named'} onChange={() => set({ cloudflaredMode: 'named' })} /> Named tunnel (your Cloudflare hostname; the URL stays)
            </label>
          </fieldset>
          {form.cloudflaredMode === 'named' && (
            <>
              <label>
                Named tunnel token (stored in the keychain; leave empty to keep the saved one) <TokenState names={names} name={CLOUDFLARED_TOKEN_NAME} />
                <input type="password" value={form.cloudflaredToken} onChange={(e) => set({ cloudflaredToken: e.target.value })} data-testid="cloudflared-token" />
              </label>
              <label>
                Public hostname
                <input value={form.cloudflaredPublicUrl} onChange={(e) => set({ cloudflaredPublicUrl: e.target.value })} placeholder="https://alerts.example.com" data-testid="cloudflared-url" />
              </label>
            </>
          )}
        </>
      )}
      {p === 'localtunnel' && (
        <>
          <label>
            Server (optional)
            <input value={form.localtunnelHost} onChange={(e) => set({ localtunnelHost: e.target.value })} placeholder="https://localtunnel.me" data-testid="localtunnel-host" />
          </label>
          <label>
            Subdomain (optional, 4 characters or more)
            <input value={form.localtunnelSubdomain} onChange={(e) => set({ localtunnelSubdomain: e.target.value })} data-testid="localtunnel-subdomain" />
          </label>
        </>
      )}
      {p === 'manual' && (
        <label>
          Public URL
          <input value={form.manualPublicUrl} onChange={(e) => set({ manualPublicUrl: e.target.value })} placeholder="https://alerts.example.com" data-testid="manual-url" />
        </label>
      )}
      {t.data && (
        <p className="muted small" data-testid="tunnel-autostart">
          {t.data.autoStart ? 'The tunnel opens again when the agent starts.' : 'The tunnel does not open when the agent starts.'} This follows Start / Stop tunnel above: a tunnel that is running when the agent
          stops opens again at the next start.
        </p>
      )}
      {isNotAvailable(save.error) ? <NotAvailable what="Saving tunnel settings" /> : <ErrorBox error={save.error} title="The tunnel settings were not saved" />}
      {save.isSuccess && (
        <p role="status" className="ok-line">
          Saved.
        </p>
      )}
      <button type="submit" className="btn primary" disabled={save.isPending || !p} data-testid="tunnel-save">
        Save
      </button>
    </form>
  );
}
