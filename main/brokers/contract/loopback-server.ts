// Start and stop of every fake broker server: a real HTTP server on a free loopback port, closed at once (open
// keep-alive and stream connections included) so a test never waits on a client that keeps its socket.
import type { Server } from 'node:http';

export function listenOnLoopback(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

export function closeNow(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
