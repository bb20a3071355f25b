// TLS options are built by the HTTP layer (the server is created with them); re-exported here
// because the ops module owns the `security.tls` configuration.
export { tlsServerOptions, type TlsServerOptions } from '../http/tls.js';
