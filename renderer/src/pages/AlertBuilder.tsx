// The alert message for TradingView's "Message" box, for the chosen mode, ready to copy.
import { useState } from 'react';
import type { StrategyView } from '../../../shared/api-types.js';
import { alertText, PASSPHRASE_PLACEHOLDER, type AlertMode } from '../lib/alert-template.js';
import { CopyButton } from '../components/CopyButton.js';
import { AlertTester } from './AlertTester.js';

const MODES: { id: AlertMode; label: string; help: string }[] = [
  { id: 'strategy', label: 'Pine strategy (placeholders)', help: 'For alerts on a Pine Script strategy: TradingView fills the action, size and position on every order fill.' },
  { id: 'simple-buy', label: 'Simple buy', help: 'For an indicator or price alert that should buy.' },
  { id: 'simple-sell', label: 'Simple sell', help: 'For an indicator or price alert that should sell.' },
];

export function AlertBuilder({ strategy }: { strategy: StrategyView }) {
  const [mode, setMode] = useState<AlertMode>('strategy');
  const [quantity, setQuantity] = useState('1');
  const [withId, setWithId] = useState(false);
  const [passphraseValue, setPassphraseValue] = useState('');
  const text = alertText({ mode, passphrase: strategy.hasPassphrase, passphraseValue, quantity, withId });
  return (
    <section aria-labelledby="builder" className="card">
      <h2 id="builder">2. Alert message</h2>
      <fieldset className="row wrap">
        <legend>Kind of alert</legend>
        {MODES.map((m) => (
          <label key={m.id} className="check">
            <input type="radio" name="alert-mode" value={m.id} checked={mode === m.id} onChange={() => setMode(m.id)} data-testid={`mode-${m.id}`} /> {m.label}
          </label>
        ))}
      </fieldset>
      <p className="muted small">{MODES.find((m) => m.id === mode)?.help}</p>
      <div className="row wrap">
        {mode !== 'strategy' && (
          <label>
            Quantity <input value={quantity} onChange={(e) => setQuantity(e.target.value)} inputMode="decimal" size={8} />
          </label>
        )}
        <label className="check">
          <input type="checkbox" checked={withId} onChange={(e) => setWithId(e.target.checked)} /> Add an idempotency id
        </label>
        {strategy.hasPassphrase && (
          <label>
            Passphrase (only to fill the text here; never sent) <input type="password" value={passphraseValue} onChange={(e) => setPassphraseValue(e.target.value)} autoComplete="off" />
          </label>
        )}
      </div>
      <pre className="json" data-testid="alert-template" aria-label="Alert message" tabIndex={0}>
        {text}
      </pre>
      <div className="row">
        <CopyButton text={text} label="Copy alert message" testId="copy-alert" />
        {strategy.hasPassphrase && !passphraseValue && <span className="muted small">Replace {PASSPHRASE_PLACEHOLDER} with the strategy's passphrase.</span>}
      </div>
      <AlertTester template={text} hasPassphrase={strategy.hasPassphrase} />
    </section>
  );
}
