// Strategies with their webhook URLs, and the form to create one.
import { useAccounts, useStrategies } from '../api/hooks.js';
import { StrategyCard } from './StrategyCard.js';
import { StrategyForm } from './StrategyForm.js';
import { EmptyState } from '../components/EmptyState.js';
import { ErrorBox } from '../components/ErrorBox.js';

export function Strategies() {
  const strategies = useStrategies();
  const accounts = useAccounts();
  const name = (id: string) => accounts.data?.find((a) => a.id === id)?.name ?? id;
  return (
    <div className="page">
      <h1>Strategies</h1>
      <ErrorBox error={strategies.error} title="Strategies could not be loaded" />
      {strategies.data?.length === 0 && <EmptyState title="No strategy yet.">Create one below: it gets its own webhook URL to paste into a TradingView alert.</EmptyState>}
      <div className="cards">
        {strategies.data?.map((s) => <StrategyCard key={s.id} strategy={s} accountNames={name} deletable />)}
      </div>
      <StrategyForm />
    </div>
  );
}
