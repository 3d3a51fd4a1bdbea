// A form field as the strategy and notification forms draw it (server-rendered: no browser needed): the control
// points at its hint and its errors, so a screen reader reads them with it (e2e/ui-accounts-strategy-edit.spec.ts
// checks the accessible description in a browser).
import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { describedBy, FormRow, formRows } from './FormRow.js';

/** The value of each attribute of the first element matching `tag` (and `testId`, if given). */
function attrs(html: string, tag: string, testId?: string): Record<string, string> {
  const re = new RegExp(`<${tag}\\b([^>]*)>`, 'g');
  for (const m of html.matchAll(re)) {
    const found = Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!]));
    if (testId === undefined || found['data-testid'] === testId) return found;
  }
  throw new Error(`no <${tag}> in ${html}`);
}

/** The id of the element whose text is `text`. */
function idOf(html: string, text: string): string {
  const m = new RegExp(`<span id="([^"]+)"[^>]*>${text}</span>`).exec(html);
  if (!m) throw new Error(`no span with an id saying "${text}" in ${html}`);
  return m[1]!;
}

describe('FormRow', () => {
  it('puts the title, the control, the hint and the errors in one label; the control is described by its errors, then its hint, and is invalid', () => {
    const html = renderToStaticMarkup(
      <FormRow title="Port" hint="Usually 587." errors={['must be a number', 'must be >= 1']}>
        <input data-testid="port" />
      </FormRow>,
    );
    const hint = idOf(html, 'Usually 587.');
    const error = idOf(html, 'must be a number; must be &gt;= 1');
    expect(hint).not.toBe(error);
    expect(html).toBe(
      `<label>Port<input data-testid="port" aria-describedby="${error} ${hint}" aria-invalid="true"/><span id="${hint}" class="muted small">Usually 587.</span><span id="${error}" class="warn-line small" role="alert" data-testid="field-error">must be a number; must be &gt;= 1</span></label>`,
    );
  });

  it('a field without errors is described by its hint alone and is not marked invalid', () => {
    const html = renderToStaticMarkup(
      <FormRow title="Port" hint="Usually 587." errors={[]}>
        <input data-testid="port" />
      </FormRow>,
    );
    expect(attrs(html, 'input')).toEqual({ 'data-testid': 'port', 'aria-describedby': idOf(html, 'Usually 587.') });
    expect(html).not.toContain('field-error');
  });

  it('a field with errors and no hint is described by its errors', () => {
    const html = renderToStaticMarkup(
      <FormRow title="Name" errors={['must not be empty']}>
        <input />
      </FormRow>,
    );
    expect(attrs(html, 'input')).toEqual({ 'aria-describedby': idOf(html, 'must not be empty'), 'aria-invalid': 'true' });
  });

  it('draws no hint and no description when there is neither', () => {
    expect(renderToStaticMarkup(<FormRow title="Name"><input /></FormRow>)).toBe('<label>Name<input/></label>');
  });

  it('keeps what the control is described by already, first', () => {
    const html = renderToStaticMarkup(
      <FormRow title="Webhook URL" hint="From the channel's settings." errors={['must start with https://']}>
        <input aria-describedby="stored-state" />
      </FormRow>,
    );
    expect(attrs(html, 'input')['aria-describedby']).toBe(`stored-state ${idOf(html, 'must start with https://')} ${idOf(html, 'From the channel&#x27;s settings.')}`);
  });

  it('formRows shows the form\'s own errors of the field the row is for, linked to its control', () => {
    const asked: string[] = [];
    const row = formRows((field: 'name' | 'sides') => {
      asked.push(field);
      return field === 'sides' ? ['pick a side'] : undefined;
    });
    const sides = renderToStaticMarkup(row('Sides', 'sides', <select data-testid="sides" />, 'A side not traded is never opened.'));
    expect(attrs(sides, 'select', 'sides')).toEqual({
      'data-testid': 'sides',
      'aria-describedby': `${idOf(sides, 'pick a side')} ${idOf(sides, 'A side not traded is never opened.')}`,
      'aria-invalid': 'true',
    });
    expect(renderToStaticMarkup(row('Name', 'name', <input />))).toBe('<label>Name<input/></label>');
    expect(asked).toEqual(['sides', 'name']);
  });
});

describe('describedBy', () => {
  it('joins the ids given, leaving out the missing ones and repeats', () => {
    expect(describedBy('a', undefined, false, 'b c', 'a')).toBe('a b c');
    expect(describedBy(undefined, false, '')).toBeUndefined();
  });
});
