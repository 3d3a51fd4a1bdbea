// A modal question before an action that moves money. Uses <dialog> for focus trapping and Escape to cancel.
import { useEffect, useId, useRef, type ReactNode } from 'react';

export function ConfirmDialog(props: { open: boolean; title: string; children: ReactNode; confirmLabel: string; danger?: boolean; busy?: boolean; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) {
      d.showModal();
      // autoFocus does not apply to a dialog opened with showModal(): the safe choice, Cancel, gets the focus.
      d.querySelector<HTMLButtonElement>('button[data-cancel]')?.focus();
    }
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby={titleId} onCancel={(e) => (e.preventDefault(), props.onCancel())}>
      <h2 id={titleId}>{props.title}</h2>
      <div className="dialog-body">{props.children}</div>
      <div className="row end">
        <button type="button" className="btn" onClick={props.onCancel} data-cancel>
          Cancel
        </button>
        <button type="button" className={props.danger ? 'btn danger' : 'btn primary'} onClick={props.onConfirm} disabled={props.busy}>
          {props.busy ? 'Working…' : props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
