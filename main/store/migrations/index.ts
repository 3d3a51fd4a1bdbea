// Numbered migrations, applied in order and recorded in schema_migrations. Never edit one that has shipped:
// add the next number. Each has its own test (NNN-*.test.ts).
import type { Db } from '../db.js';
import { m001 } from './001-core.js';
import { m002 } from './002-paper-broker.js';
import { m003 } from './003-order-lifecycle.js';
import { m004 } from './004-notify-outbox.js';
import { m005 } from './005-audit-log.js';
import { m006 } from './006-order-recent-index.js';
import { m007 } from './007-approvals.js';
import { m008 } from './008-audit-processing-mark.js';
import { m009 } from './009-inbox-copied.js';
import { m010 } from './010-drop-signal-body-index.js';
import { m011 } from './011-drop-audit-unsealed-index.js';
import { m012 } from './012-paper-cost-basis.js';
import { m013 } from './013-account-day.js';
import { m014 } from './014-paper-position-terms.js';
import { m015 } from './015-trading-day.js';
import { m016 } from './016-notify-dead-at.js';

export interface Migration {
  version: number;
  name: string;
  up(db: Db): void;
}

export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010, m011, m012, m013, m014, m015, m016];
