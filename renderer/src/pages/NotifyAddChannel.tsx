// The "Add a channel" control: the channels not set up yet, one chosen, its form opened.
import { useState, type FormEvent } from 'react';
import type { ChannelName } from '../../../shared/notify.js';
import { CHANNEL_LABELS } from '../lib/notify-form.js';

/** The add control's select: the focus goes back here after an add is cancelled. */
export const ADD_SELECT_ID = 'notify-add-channel';

export function AddChannel({ choices, disabled, onAdd }: { choices: ChannelName[]; disabled: boolean; onAdd: (c: ChannelName) => void }) {
  const [choice, setChoice] = useState<ChannelName>(choices[0]!);
  const current = choices.includes(choice) ? choice : choices[0]!;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onAdd(current);
  };
  return (
    <form className="row wrap notify-add" onSubmit={submit} aria-label="Add a notification channel">
      <label htmlFor={ADD_SELECT_ID}>Add a channel</label>
      <select id={ADD_SELECT_ID} value={current} onChange={(e) => setChoice(e.target.value as ChannelName)} data-testid="notify-add-choice">
        {choices.map((c) => (
          <option key={c} value={c}>
            {CHANNEL_LABELS[c]}
          </option>
        ))}
      </select>
      <button type="submit" className="btn" disabled={disabled} data-testid="notify-add">
        Add…
      </button>
    </form>
  );
}
