// The paper account's positions as its books count them: what each symbol is (paperInstrument), the terms a position
// is kept with, whether new exposure in a symbol can be valued in the account's currency, and what each position is
// worth (paper-valuation.ts does the arithmetic). paper-broker.ts reads the account from it; paper-matching.ts
// refuses and settles fills with it.
import { Decimal } from 'decimal.js';
import type { PaperPositionRow } from '../../store/paper.js';
import type { InstrumentInfo } from '../port.js';
import { averagePriceOf } from './cost-basis.js';
import { counted, countingOf, oldBookTerms, paperInstrument, positionMoney, termsOf, type Counted, type PositionMoney, type PositionTerms } from './paper-valuation.js';
import type { PaperConfig } from './paper-terms.js';

export class PaperHoldings {
  /** Each position's worth as last computed, by symbol, with the row it was computed from (valued()). */
  private readonly worth = new Map<string, { row: string; value: PositionWorth }>();

  /** `currency` is the account's currency, as its books were opened in (a later config does not change it). */
  constructor(
    private readonly currency: string,
    private readonly config: PaperConfig,
  ) {}

  facts(symbol: string): InstrumentInfo {
    return paperInstrument(symbol, this.currency, this.config);
  }

  /** How a stored position is counted: with the terms it was opened with (the old books' for a row without). */
  countedAs(p: PaperPositionRow): Counted {
    return counted(p.symbol, termsOfRow(p) ?? oldBookTerms(this.currency), this.currency);
  }

  /** How a position opened in `symbol` now would be counted. */
  freshCounting(symbol: string): Counted {
    return counted(symbol, termsOf(this.facts(symbol)), this.currency);
  }

  /** Why the books refuse new exposure in `symbol` (opening or adding to a position), when they cannot count its
   *  money in the account's currency: the code sizing gives for it, with its values. */
  unvaluable(symbol: string, pos: PaperPositionRow | undefined, side: 'buy' | 'sell'): string | undefined {
    const adds = pos !== undefined && new Decimal(pos.quantity).isNegative() === (side === 'sell');
    const terms = adds ? (termsOfRow(pos) ?? oldBookTerms(this.currency)) : termsOf(this.facts(symbol));
    const v = countingOf(symbol, terms, this.currency);
    if (v.ok) return undefined;
    const values = Object.entries(v.values).map(([k, x]) => `${k}=${x}`).join(', ');
    const why =
      v.code === 'CONTRACT_SIZE_UNKNOWN'
        ? `the size of one contract of ${symbol} is not known, so the paper books cannot count its P&L`
        : `the paper books cannot count ${symbol}'s P&L in ${this.currency} (neither its quote nor its base currency is the account's; they have no exchange rate)`;
    return `${v.code}: ${values}: ${why}. Only exits (reduce-only) are accepted for it.`;
  }

  /**
   * A position's worth (positionMoney) and display price, computed again only when its row changed. Every alert asks
   * for the account and its positions (sizing, risk) and changes one position at most (its mark price, a fill): the
   * others are worth what they were, and valuing every one in exact decimals was a tenth of the pipeline's CPU with
   * 16 positions held. The worth is a function of the row's own fields and the account's currency (fixed), so a
   * row equal in every field is worth the same; kept per symbol, the map holds one entry per position.
   */
  valued(p: PaperPositionRow): PositionWorth {
    const row = [p.quantity, p.costBasis, p.lastPrice, p.contractSize, p.quoteCurrency, p.baseCurrency, p.settlement].join('\u0000');
    const known = this.worth.get(p.symbol);
    if (known?.row === row) return known.value;
    const c = this.countedAs(p);
    const value: PositionWorth = {
      money: positionMoney(p, p.lastPrice, c),
      margin: c.terms.settlement === 'margin',
      averagePrice: averagePriceOf(p), // rounded, for display; the P&L is computed from the cost basis
    };
    this.worth.set(p.symbol, { row, value });
    return value;
  }
}

/** What a position adds to the account (see PaperHoldings.valued). */
export interface PositionWorth {
  money: PositionMoney;
  /** Settled on margin: its worth moves buying power too. */
  margin: boolean;
  averagePrice: string;
}

/** The terms a stored position was opened with, or undefined for a row written without them. */
function termsOfRow(p: PaperPositionRow): PositionTerms | undefined {
  if (p.settlement === undefined) return undefined;
  return { contractSize: p.contractSize, quoteCurrency: p.quoteCurrency, baseCurrency: p.baseCurrency, settlement: p.settlement };
}

/** A position's terms as the columns it is stored with. */
export function rowTerms(t: PositionTerms): Pick<PaperPositionRow, 'contractSize' | 'quoteCurrency' | 'baseCurrency' | 'settlement'> {
  return { contractSize: t.contractSize, quoteCurrency: t.quoteCurrency, baseCurrency: t.baseCurrency, settlement: t.settlement };
}
