// Public surface of the tunnel module.
export type { TunnelKind, TunnelProvider, TunnelProviderEvent, TunnelProviderStatus, TunnelStartOptions, TunnelStarted, TunnelErrorCode } from './provider.js';
export { TunnelError } from './provider.js';
export { NgrokProvider, ngrokForwardConfig, explainNgrokError, NGROK_AUTHTOKEN_SECRET } from './ngrok-provider.js';
export type { NgrokProviderOptions, NgrokSdk } from './ngrok-provider.js';
export { CloudflaredProvider, CLOUDFLARED_TOKEN_SECRET } from './cloudflared-provider.js';
export type { CloudflaredProviderOptions } from './cloudflared-provider.js';
export { LocaltunnelProvider, DEFAULT_LOCALTUNNEL_HOST } from './localtunnel-provider.js';
export type { LocaltunnelProviderOptions } from './localtunnel-provider.js';
export { ManualProvider, normalizePublicUrl } from './manual-provider.js';
export type { ManualProviderOptions } from './manual-provider.js';
export { TunnelSupervisor } from './supervisor.js';
export type { TunnelState, TunnelSupervisorOptions, TunnelSupervisorStatus, HealthCheckRecord, UrlChange, TunnelProblem } from './supervisor.js';
export { createHealthProbe, HealthCheckFailed } from './health-probe.js';
export type { HealthProbeOptions, ProbeTarget } from './health-probe.js';
export { HEALTH_PROBE_PARAM, healthProbeEcho } from './health-echo.js';
export { TRADINGVIEW_SENDER_CIDRS } from './tradingview.js';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
export type { BackoffOptions } from './backoff.js';
