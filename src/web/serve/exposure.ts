/**
 * Which addresses `hhrl serve` may listen on without an API key: only loopback, unless the operator says
 * `--insecure`. On any other address everyone who can reach the port could run (and abuse) the model.
 */
import { isIP } from 'node:net';
import { ConfigError } from '../../spec/errors.ts';

/** Whether `host` is a loopback address or `localhost` (127.0.0.0/8, ::1, ::ffff:127.x.y.z). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./i.test(bare) || /^(0{1,4}:){7}0{0,3}1$/.test(bare);
  return false;
}

/**
 * Refuse to listen on a non-loopback `host` without an API key, unless `insecure`.
 * @throws ConfigError naming the address and the two ways out.
 */
export function assertSafeExposure(host: string, options: { readonly apiKey?: string; readonly insecure: boolean }): void {
  if (isLoopbackHost(host) || options.insecure || (options.apiKey !== undefined && options.apiKey !== '')) return;
  throw new ConfigError(
    `--host ${host} is not a loopback address, and no API key is set: anyone who can reach it could use the model. ` +
      'Set one with --api-key-env NAME, or pass --insecure to serve it openly anyway',
  );
}
