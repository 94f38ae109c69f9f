#!/usr/bin/env node
// The grpc-js side of the unary benchmark: LoanApplicationsService.SubmitApplication on @grpc/grpc-js,
// answering every call with one response built at start-up, as bench/UnaryServers does on ConnectorKit.
//
//   node server.js --port N
//
// Binds 127.0.0.1:N without TLS (h2c; N = 0 picks a free port), prints "LISTENING <port>" once bound and
// exits on SIGTERM or SIGINT.
'use strict';

const path = require('path');
const { createRequire } = require('module');

// bench/ has no node_modules; the pinned packages live in tools/.
const toolsRequire = createRequire(path.resolve(__dirname, '../../tools/package.json'));
const grpc = toolsRequire('@grpc/grpc-js');
const protoLoader = toolsRequire('@grpc/proto-loader');
const { LOADER_OPTIONS, PROTO_ROOT, createResponse } = require('./fixtures');

function parsePort(argv) {
  const i = argv.indexOf('--port');
  const port = i >= 0 ? Number(argv[i + 1]) : NaN;
  if (argv.length !== 2 || !Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('usage: node server.js --port N\n');
    process.exit(2);
  }
  return port;
}

function main() {
  const port = parsePort(process.argv.slice(2));
  const definition = protoLoader.loadSync('connectorkit/v1/loan_applications.proto', {
    ...LOADER_OPTIONS,
    includeDirs: [PROTO_ROOT],
  });
  const proto = grpc.loadPackageDefinition(definition);
  const response = createResponse();

  const server = new grpc.Server();
  server.addService(proto.connectorkit.v1.LoanApplicationsService.service, {
    SubmitApplication(call, callback) {
      callback(null, response);
    },
  });

  server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, boundPort) => {
    if (err) {
      process.stderr.write(`server.js: bind failed: ${err.message}\n`);
      process.exit(1);
    }
    process.stdout.write(`LISTENING ${boundPort}\n`);
  });

  const stop = () => server.tryShutdown(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
