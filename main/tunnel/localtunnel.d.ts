// The `localtunnel` package ships no types; localtunnel-provider.ts declares the part it uses.
declare module 'localtunnel' {
  const localtunnel: unknown;
  export default localtunnel;
}
