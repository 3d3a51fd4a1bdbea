// A form field as the strategy and notification forms draw it (server-rendered: no browser needed).
import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { FormRow, formRows } from './FormRow.js';

describe('FormRow', () => {
  it('puts the title, the control, the hint and the errors in one label, in that order', () => {
    const html = renderToStaticMarkup(
      <FormRow title="Port" hint="Usually 587." error={<span className="warn-line small">must be a number</span>}>
        <input data-testid="port" />
      </FormRow>,
    );
    expect(html).toBe('<label>Port<input data-testid="port"/><span class="muted small">Usually 587.</span><span class="warn-line small">must be a number</span></label>');
  });

  it('draws no hint when there is none, and nothing for a field without errors', () => {
    expect(renderToStaticMarkup(<FormRow title="Name" error={null}><input /></FormRow>)).toBe('<label>Name<input/></label>');
  });

  it('formRows shows the form\'s own errors of the field the row is for', () => {
    const asked: string[] = [];
    const row = formRows((field: 'name' | 'sides') => {
      asked.push(field);
      return field === 'sides' ? <em>pick a side</em> : null;
    });
    expect(renderToStaticMarkup(row('Sides', 'sides', <select />, 'A side not traded is never opened.'))).toBe('<label>Sides<select></select><span class="muted small">A side not traded is never opened.</span><em>pick a side</em></label>');
    expect(renderToStaticMarkup(row('Name', 'name', <input />))).toBe('<label>Name<input/></label>');
    expect(asked).toEqual(['sides', 'name']);
  });
});
