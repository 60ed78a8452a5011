// Loaded into every test process (package.json sets NODE_OPTIONS): a socket may connect to loopback
// or a local pipe only, so no test can reach the internet, whatever host a fixture names.
import net from 'node:net';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '::ffff:127.0.0.1']);
const connect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function (...args) {
  // net.connect passes its normalized arguments as one array; a direct call passes (options) or (port, host).
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  if (options.path === undefined) {
    const host = options.host ?? 'localhost';
    if (!LOOPBACK.has(host)) throw new Error(`tests are offline: a connection to ${host}:${options.port} was refused; serve it from the loopback test server`);
  }
  return connect.apply(this, args);
};
