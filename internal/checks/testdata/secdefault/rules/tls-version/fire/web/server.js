const tls = require('tls');
const server = tls.createServer({ minVersion: 'TLSv1', key, cert });
