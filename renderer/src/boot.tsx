// The app: find the control token, then mount the window with one query cache and the live event stream.
// Loaded by the entry script (main.tsx) once it has started the opening page's first request.
import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { ApiClient, isUnauthorized, isNotAvailable } from './api/client.js';
import { ApiContext } from './api/context.js';
import { LiveProvider } from './api/live.js';
import { desktopToken, takeToken } from './api/token.js';
import { App } from './App.js';
import { NoToken } from './components/TokenScreens.js';
import { keys } from './api/keys.js';
import { handOverEarlyOrders } from './early-orders.js';
import { defaultOrdersQuery } from './pages/orders-query.js';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 5_000,
      refetchOnWindowFocus: true,
      // A refused token or a missing endpoint does not get better by retrying.
      retry: (n, err) => !isUnauthorized(err) && !isNotAvailable(err) && n < 2,
    },
  },
});

function Root() {
  const [token, setToken] = useState<string | undefined | null>(() => takeToken() ?? null);
  useEffect(() => {
    if (token !== null) return;
    let alive = true;
    void desktopToken().then((t) => alive && setToken(t));
    return () => {
      alive = false;
    };
  }, [token]);
  const api = useMemo(() => (token ? new ApiClient(token) : undefined), [token]);
  if (token === null) return null; // asking the desktop shell; answers within a frame
  if (!token || !api) return <NoToken onToken={setToken} />;
  return (
    <ApiContext.Provider value={api}>
      <QueryClientProvider client={queryClient}>
        <LiveProvider token={token}>
          <App />
        </LiveProvider>
      </QueryClientProvider>
    </ApiContext.Provider>
  );
}

// The orders page's first rows may already be on screen (early-orders.ts): start from the answer they were drawn
// from, so React's first render shows the same rows instead of "Loading…". React's first render replaces them.
const earlyOrders = handOverEarlyOrders();
if (earlyOrders) queryClient.setQueryData(keys.ordersPage(defaultOrdersQuery(), 0), earlyOrders);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
