import { describe, expect, it } from 'vitest';
import { rowWindow } from './fixed-rows.js';

describe('rowWindow', () => {
  it('holds the rows under the viewport plus the overscan on each side', () => {
    // 36 px rows, scrolled to row 100, a 360 px viewport shows rows 100..109.
    expect(rowWindow(100_000, 36, 3600, 360, 5)).toEqual({ start: 95, end: 114, totalHeight: 3_600_000 });
  });

  it('counts a partly visible row at either edge', () => {
    // Scrolled 10 px into row 2: rows 2..12 are (partly) visible in 370 px.
    expect(rowWindow(1000, 36, 82, 370, 0)).toMatchObject({ start: 2, end: 12 });
  });

  it('clamps to the list at the top and the bottom', () => {
    // 900 px shows rows 0..24; 12 more below, none above row 0.
    expect(rowWindow(50, 36, 0, 900, 12)).toEqual({ start: 0, end: 36, totalHeight: 1800 });
    expect(rowWindow(50, 36, 99_999, 900, 12)).toMatchObject({ start: 37, end: 49 });
  });

  it('renders nothing for an empty list and keeps a zero height', () => {
    expect(rowWindow(0, 36, 0, 900, 12)).toEqual({ start: 0, end: -1, totalHeight: 0 });
  });

  it('still renders the first row before the viewport is measured', () => {
    expect(rowWindow(10, 36, 0, 0, 0)).toMatchObject({ start: 0, end: 0 });
  });
});
