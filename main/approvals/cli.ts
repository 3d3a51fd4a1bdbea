// `viewzenix approvals [list | approve ID | reject ID [--reason TEXT]]` through the running agent.
import { parseArgs } from 'node:util';
import { CliUsageError, GLOBAL_OPTIONS, type CliContext } from '../export/cli-context.js';
import type { ApprovalView, OrderView } from '../../shared/api-types.js';

const USAGE = 'Usage: viewzenix approvals [list [--all]] | approve ID | reject ID [--reason TEXT]';

export async function runApprovalsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { ...GLOBAL_OPTIONS, reason: { type: 'string' }, all: { type: 'boolean' } } });
  const [sub = 'list', id] = positionals;
  const out = (v: unknown, text: string): number => {
    ctx.stdout.write(ctx.json ? `${JSON.stringify(v, null, 2)}\n` : text);
    return 0;
  };
  if (sub === 'list') {
    const client = await ctx.connect();
    const { items } = (await client.get(`/api/approvals${values.all ? '' : '?status=pending'}`)) as { items: ApprovalView[] };
    const lines = items.map((a) => `${a.id}  ${a.status}  ${a.side} ${a.quantity} ${a.symbol}  account ${a.accountName ?? a.accountId}  strategy ${a.strategyName ?? a.strategyId}  expires ${a.expiresAt}`);
    return out(items, lines.length ? `${lines.join('\n')}\n` : '(no approvals waiting)\n');
  }
  if ((sub === 'approve' || sub === 'reject') && id) {
    const client = await ctx.connect();
    if (sub === 'approve') {
      const r = (await client.send('POST', `/api/approvals/${encodeURIComponent(id)}/approve`, {})) as { approval: ApprovalView; order: OrderView };
      return out(r, `approved ${id}: order ${r.order.id} ${r.order.side} ${r.order.quantity} ${r.order.symbol} ${r.order.status}\n`);
    }
    const r = (await client.send('POST', `/api/approvals/${encodeURIComponent(id)}/reject`, values.reason ? { reason: values.reason } : {})) as { approval: ApprovalView };
    return out(r, `rejected ${id}${r.approval.reason ? ` (${r.approval.reason})` : ''}; nothing was sent\n`);
  }
  throw new CliUsageError(USAGE);
}
