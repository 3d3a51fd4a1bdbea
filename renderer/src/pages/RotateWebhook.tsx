// "New webhook URL…" for a URL that leaked. Asks first: the old URL stops working at once, so every TradingView
// alert still posting to it is refused until it gets the new one.
import { useState } from 'react';
import type { StrategyView } from '../../../shared/api-types.js';
import { useRotateWebhook } from '../api/hooks.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { CopyButton } from '../components/CopyButton.js';
import { ErrorBox } from '../components/ErrorBox.js';

export function RotateWebhook({ strategy: s }: { strategy: StrategyView }) {
  const [asking, setAsking] = useState(false);
  const rotate = useRotateWebhook(s.id);
  const close = () => {
    setAsking(false);
    rotate.reset();
  };
  return (
    <section className="card" aria-labelledby={`rotate-${s.id}`}>
      <h2 id={`rotate-${s.id}`}>Webhook URL</h2>
      <div className="row wrap">
        <code className="url" data-testid="webhook-url">
          {s.webhookUrl}
        </code>
        <CopyButton text={s.webhookUrl} label="Copy webhook URL" />
      </div>
      <div className="row">
        <button type="button" className="btn small" onClick={() => (rotate.reset(), setAsking(true))} data-testid="rotate-webhook">
          New webhook URL…
        </button>
        {rotate.isSuccess && (
          <span role="status" className="ok-line" data-testid="webhook-rotated">
            New URL made. Paste it into every TradingView alert of this strategy.
          </span>
        )}
      </div>
      <ConfirmDialog open={asking} title="Make a new webhook URL?" confirmLabel="Make a new URL" danger busy={rotate.isPending} onConfirm={() => rotate.mutate(undefined, { onSuccess: () => setAsking(false) })} onCancel={close}>
        <p>The current URL stops working at once: every TradingView alert still sending to it is refused (WEBHOOK_NOT_FOUND) and trades nothing, until you paste the new URL into it.</p>
        <p>Do this when the URL has leaked. The passphrase, settings and history stay as they are.</p>
        <ErrorBox error={rotate.error} title="No new URL was made" />
      </ConfirmDialog>
    </section>
  );
}
