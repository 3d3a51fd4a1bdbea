// One field of a form: its title, the control, a hint under it and the field's errors, all inside one <label> (a
// click on the title reaches the control). The control points at its hint and its errors (`aria-describedby`, errors
// first) and is marked `aria-invalid` while it has errors, so a screen reader reads them with the field. The strategy,
// account and notification forms draw their fields with it. Fields it cannot draw (a group of checkboxes or radios in
// a fieldset) point at their errors with useFieldErrorLinks. A form shows the problems it finds itself at an attempt
// to save (useSaveAttempt), never while the trader types.
import { cloneElement, useId, useState, type ReactElement, type ReactNode } from 'react';
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

/**
 * For fields FormRow does not draw (a fieldset of checkboxes or radios): the id of a field's errors (undefined while
 * it has none), its FieldErrors, and the attributes that point a control at them.
 */
export function useFieldErrorLinks<F extends string>(errors: (field: F) => readonly string[] | undefined) {
  const id = useId();
  const errId = (field: F): string | undefined => (errors(field)?.length ? `${id}-${field}-error` : undefined);
  return {
    errId,
    err: (field: F) => <FieldErrors id={errId(field)} messages={errors(field)} />,
    invalid: (field: F): Described => (errId(field) ? { 'aria-invalid': true, 'aria-describedby': errId(field) } : {}),
  };
}

/**
 * The problems a form shows beside its fields, of those it finds itself (`current`: what is wrong with the fields as
 * they are now, each with its field's `path`). None shows before the trader tries to save: an error announced at the
 * first character typed is noise. `attempt()` (at the save) shows every current problem (or those `which` keeps: the
 * ones that stop this save) and tells whether there is none. A problem shown goes as soon as its field is right,
 * and shows again only at the next attempt.
 */
export function useSaveAttempt<E extends { path: string }>(current: readonly E[]): { shown: E[]; attempt: (which?: (e: E) => boolean) => boolean } {
  const [tried, setTried] = useState<readonly string[]>([]);
  const wrong = new Set(current.map((e) => e.path));
  // A field put right is forgotten until the next attempt (state adjusted while rendering, as React documents).
  if (tried.some((p) => !wrong.has(p))) setTried(tried.filter((p) => wrong.has(p)));
  return {
    shown: current.filter((e) => tried.includes(e.path)),
    attempt: (which = () => true) => {
      const stopping = current.filter(which);
      setTried(stopping.map((e) => e.path));
      return stopping.length === 0;
    },
  };
}
