// The window: token check, header, navigation (with the theme toggle below it) and the current page.
import { useStatus } from './api/hooks.js';
import { isUnauthorized, ApiHttpError } from './api/client.js';
import { useRoute } from './lib/router.js';
import { Header } from './components/Header.js';
import { Nav } from './components/Nav.js';
import { ThemeToggle } from './components/ThemeToggle.js';
import { BadToken, AgentDown } from './components/TokenScreens.js';
import { Dashboard } from './pages/Dashboard.js';
import { Signals } from './pages/Signals.js';
import { SignalDetail } from './pages/SignalDetail.js';
import { Orders } from './pages/Orders.js';
import { OrderDetail } from './pages/OrderDetail.js';
import { Positions } from './pages/Positions.js';
import { Strategies } from './pages/Strategies.js';
import { StrategyDetail } from './pages/StrategyDetail.js';
import { StrategyEdit } from './pages/StrategyEdit.js';
import { Accounts } from './pages/Accounts.js';
import { Settings } from './pages/Settings.js';
import { Approvals } from './pages/Approvals.js';

export function App() {
  const status = useStatus();
  const [page = '', id, sub] = useRoute();
  if (isUnauthorized(status.error)) return <BadToken />;
  if (!status.data && status.error instanceof ApiHttpError && status.error.status === 0) return <AgentDown message={status.error.message} />;
  return (
    <div className="app">
      <a href="#main" className="skip" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <Header />
      <div className="body">
        <div className="side">
          <Nav current={page} />
          <div className="side-foot">
            <ThemeToggle />
          </div>
        </div>
        <main id="main" tabIndex={-1}>
          <Page page={page} id={id} sub={sub} />
        </main>
      </div>
    </div>
  );
}

function Page({ page, id, sub }: { page: string; id?: string; sub?: string }) {
  switch (page) {
    case '':
      return <Dashboard />;
    case 'signals':
      return id ? <SignalDetail id={id} /> : <Signals />;
    case 'orders':
      return id ? <OrderDetail id={id} /> : <Orders />;
    case 'positions':
      return <Positions />;
    case 'strategies':
      return id ? sub === 'edit' ? <StrategyEdit id={id} /> : <StrategyDetail id={id} /> : <Strategies />;
    case 'accounts':
      return <Accounts />;
    case 'approvals':
      return <Approvals />;
    case 'settings':
      return <Settings />;
    default:
      return (
        <div className="page">
          <h1>Not found</h1>
          <p>
            There is no page <code>{page}</code>. <a href="#/">Go to the dashboard</a>.
          </p>
        </div>
      );
  }
}
