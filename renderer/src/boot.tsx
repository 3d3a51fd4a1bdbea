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
  if (!token || !api) return <NoToken />;
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

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
