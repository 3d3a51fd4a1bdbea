// The client and the live connection, shared by every screen.
import { createContext, useContext } from 'react';
import type { ApiClient } from './client.js';
import type { StreamState } from './sse.js';

export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiContext');
  return api;
}

export interface Notice {
  id: number;
  at: string;
  level: 'info' | 'warning' | 'error';
  code?: string;
  message: string;
}

export interface LiveState {
  stream: StreamState;
  detail?: string;
  notices: Notice[];
  dismiss: (id: number) => void;
}

export const LiveContext = createContext<LiveState>({ stream: 'connecting', notices: [], dismiss: () => undefined });

export function useLive(): LiveState {
  return useContext(LiveContext);
}
