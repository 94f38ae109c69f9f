#!/usr/bin/env node
// The peer of the callback benchmark: LoanEventsService on @grpc/grpc-js that acknowledges every callback at once,
// with no store, no deduplication and no state checks. It shows what delivery costs when the platform does nothing
// durable; the difference to ConnectorKit's receiver is the price of its SQLite store and checks.
//
//   node ack-receiver.js --port P --control-port C
//
// Serves h2c on 127.0.0.1:P and, on 127.0.0.1:C (HTTP/1.1), the control API the bank side of CallbackBench uses:
// POST /seed (nothing to seed here) and GET /stats (counts per event id, order per application, CPU time).
// Prints "LISTENING P C" once both are bound; exits on SIGTERM or SIGINT.
'use strict';

const http = require('http');
const path = require('path');
const { createRequire } = require('module');

const toolsRequire = createRequire(path.resolve(__dirname, '../../tools/package.json'));
const grpc = toolsRequire('@grpc/grpc-js');
const protoLoader = toolsRequire('@grpc/proto-loader');

function arg(name) {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  if (!Number.isInteger(value) || value <= 0 || value > 65535) {
    process.stderr.write('usage: node ack-receiver.js --port P --control-port C\n');
    process.exit(2);
  }
  return value;
}

const port = arg('--port');
const controlPort = arg('--control-port');
const definition = protoLoader.loadSync('connectorkit/v1/loan_events.proto', {
  keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
  includeDirs: [path.resolve(__dirname, '../../proto')],
});
const proto = grpc.loadPackageDefinition(definition);

const seen = new Map();
const lastSequence = new Map();
let handled = 0;
let repeated = 0;
let outOfOrder = 0;

function count(header) {
  handled++;
  const n = (seen.get(header.event_id) || 0) + 1;
  seen.set(header.event_id, n);
  if (n > 1) repeated++;
  const sequence = Number(header.sequence);
  if (sequence !== (lastSequence.get(header.application_id) || 0) + 1) outOfOrder++;
  lastSequence.set(header.application_id, sequence);
}

const server = new grpc.Server();
server.addService(proto.connectorkit.v1.LoanEventsService.service, {
  NotifyApprovalDecision(call, callback) { count(call.request.header); callback(null, { duplicate: false }); },
  NotifyDisbursement(call, callback) { count(call.request.header); callback(null, { duplicate: false }); },
});

const control = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url.startsWith('/seed')) {
    res.writeHead(200).end();
  } else if (req.method === 'GET' && req.url === '/stats') {
    const cpu = process.cpuUsage();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ handled, repeated, outOfOrder, distinctEvents: seen.size, cpuMs: (cpu.user + cpu.system) / 1000 }));
  } else {
    res.writeHead(404).end();
  }
});

server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error) => {
  if (error) { process.stderr.write(`${error.message}\n`); process.exit(1); }
  control.listen(controlPort, '127.0.0.1', () => process.stdout.write(`LISTENING ${port} ${controlPort}\n`));
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => { control.close(); server.forceShutdown(); process.exit(0); });
}
