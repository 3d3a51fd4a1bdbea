// Public surface of the credential vault. Only this folder imports keytar.
export { Vault } from './vault.js';
export type { VaultOptions, VaultStatus, SecretReader } from './vault.js';
export { KeytarStore, DEFAULT_SERVICE, loadRealKeytar } from './keytar-store.js';
export type { KeytarModule, KeytarStoreOptions } from './keytar-store.js';
export { EnvStore } from './env-store.js';
export { VaultError, KEYCHAIN_FIX } from './secret-store.js';
export type { SecretStore, SecretStoreStatus, SecretBackend, FixSteps } from './secret-store.js';
export { isSecretName, assertSecretName, envVarName, InvalidSecretNameError, SECRET_NAME_RULES, ENV_PREFIX } from './secret-name.js';
export { registerRedactionHook, registerSecretValue, SecretRedactor, MIN_REDACTABLE_LENGTH } from './redaction.js';
export type { RedactionHook } from './redaction.js';
