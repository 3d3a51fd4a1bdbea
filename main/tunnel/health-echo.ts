// The contract between the tunnel self-check and the webhook listener's GET /health:
//   GET /health?probe=<nonce>  ->  200, JSON body containing "probe": "<nonce>"
// The nonce proves the answer came from this agent through the tunnel, not from a cached page or from another
// server that now owns a recycled tunnel URL. Pure (no I/O) so the webhook listener can import it.

export const HEALTH_PROBE_PARAM = 'probe';
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;

/** The nonce to echo for a /health request's query value, or undefined when absent or malformed. */
export function healthProbeEcho(queryValue: unknown): string | undefined {
  return typeof queryValue === 'string' && NONCE.test(queryValue) ? queryValue : undefined;
}
