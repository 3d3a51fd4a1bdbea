// One field of a form: its title, the control, a hint under it and the field's errors, all inside one <label> (a
// click on the title reaches the control). The strategy and notification forms draw their fields with it.
import type { ReactElement, ReactNode } from 'react';

export function FormRow({ title, hint, error, children }: { title: ReactNode; hint?: string; error?: ReactNode; children: ReactNode }) {
  return (
    <label>
      {title}
      {children}
      {hint && <span className="muted small">{hint}</span>}
      {error}
    </label>
  );
}

/** A form's `row(title, field, control, hint?)`: a FormRow showing the form's own errors for `field` (`err`). */
export function formRows<F>(err: (field: F) => ReactNode): (title: ReactNode, field: F, control: ReactNode, hint?: string) => ReactElement {
  return (title, field, control, hint) => (
    <FormRow title={title} hint={hint} error={err(field)}>
      {control}
    </FormRow>
  );
}
