// One field of a form: its title, the control, a hint under it and the field's errors, all inside one <label> (a
// click on the title reaches the control). The control points at its hint and its errors (`aria-describedby`, errors
// first) and is marked `aria-invalid` while it has errors, so a screen reader reads them with the field. The strategy
// and notification forms draw their fields with it.
import { cloneElement, useId, type ReactElement, type ReactNode } from 'react';
import { FieldErrors } from './FieldErrors.js';

/** The attributes FormRow sets on its control. */
interface Described {
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}

/** The ids a field's control is described by: its own (if any), then its errors, then its hint. */
export function describedBy(...ids: (string | undefined | false)[]): string | undefined {
  const list = ids.flatMap((x) => (x ? x.split(/\s+/).filter(Boolean) : []));
  return list.length ? [...new Set(list)].join(' ') : undefined;
}

export function FormRow({ title, hint, errors, children }: { title: ReactNode; hint?: string; errors?: readonly string[]; children: ReactElement<Described> }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors?.length ? `${id}-error` : undefined;
  const control = cloneElement(children, {
    'aria-describedby': describedBy(children.props['aria-describedby'], errorId, hintId),
    'aria-invalid': errorId ? true : children.props['aria-invalid'],
  });
  return (
    <label>
      {title}
      {control}
      {hint && (
        <span id={hintId} className="muted small">
          {hint}
        </span>
      )}
      <FieldErrors id={errorId} messages={errors} />
    </label>
  );
}

/** A form's `row(title, field, control, hint?)`: a FormRow showing the form's own errors for `field`. */
export function formRows<F>(errors: (field: F) => readonly string[] | undefined): (title: ReactNode, field: F, control: ReactElement<Described>, hint?: string) => ReactElement {
  return (title, field, control, hint) => (
    <FormRow title={title} hint={hint} errors={errors(field)}>
      {control}
    </FormRow>
  );
}
