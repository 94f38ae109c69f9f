#!/usr/bin/env node
// One real gRPC call against a benchmark server, to prove its answers are what h2load counted as successes:
// h2load sees only HTTP 200, not grpc-status.
//
//   node check.js --port N --fixtures DIR
//
// Sends DIR/submit-application-request.grpc to SubmitApplication on 127.0.0.1:N with a @grpc/grpc-js client
// and exits 0 only when the call ends with status OK and the response equals DIR/submit-application-response.pb
// (the message bench/UnaryServers builds), which in turn must equal the response server.js builds.
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const toolsRequire = createRequire(path.resolve(__dirname, '../../tools/package.json'));
const grpc = toolsRequire('@grpc/grpc-js');
const protoLoader = toolsRequire('@grpc/proto-loader');
const { LOADER_OPTIONS, PROTO_ROOT, createResponse } = require('./fixtures');

const METHOD_PATH = '/connectorkit.v1.LoanApplicationsService/SubmitApplication';
const DEADLINE_MS = 10000;

function fail(message) {
  process.stderr.write(`check.js: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i + 1 < argv.length; i += 2) {
    opts[argv[i].replace(/^--/, '')] = argv[i + 1];
  }
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port <= 0 || !opts.fixtures || argv.length !== 4) {
    process.stderr.write('usage: node check.js --port N --fixtures DIR\n');
    process.exit(2);
  }
  return { port, fixtures: opts.fixtures };
}

function main() {
  const { port, fixtures } = parseArgs(process.argv.slice(2));
  const framed = fs.readFileSync(path.join(fixtures, 'submit-application-request.grpc'));
  const expectedBytes = fs.readFileSync(path.join(fixtures, 'submit-application-response.pb'));
  if (framed.length < 5 || framed[0] !== 0 || framed.readUInt32BE(1) !== framed.length - 5) {
    fail('the request file is not one uncompressed gRPC frame');
  }

  const definition = protoLoader.loadSync('connectorkit/v1/loan_applications.proto', {
    ...LOADER_OPTIONS,
    includeDirs: [PROTO_ROOT],
  });
  const method = definition['connectorkit.v1.LoanApplicationsService'].SubmitApplication;
  const expected = method.responseDeserialize(expectedBytes);
  try {
    assert.deepStrictEqual(method.responseDeserialize(method.responseSerialize(createResponse())), expected);
  } catch (err) {
    fail(`server.js's response differs from the one bench/UnaryServers writes:\n${err.message}`);
  }

  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const identity = (buffer) => buffer;
  // grpc-js calls back first and emits 'status' (with the trailers) after; judge the call on the latter.
  let result = null;
  const call = client.makeUnaryRequest(
    METHOD_PATH,
    identity,
    identity,
    framed.subarray(5),
    { deadline: Date.now() + DEADLINE_MS },
    (err, raw) => {
      result = { err, raw };
    }
  );
  call.on('status', (status) => {
    client.close();
    if (!result) {
      fail(`status ${JSON.stringify(status)} arrived before the call completed`);
    }
    if (result.err) {
      fail(`call failed: ${result.err.code} ${grpc.status[result.err.code]} ${result.err.details}`);
    }
    if (status.code !== grpc.status.OK) {
      fail(`status ${status.code} ${status.details}`);
    }
    try {
      assert.deepStrictEqual(method.responseDeserialize(result.raw), expected);
    } catch (e) {
      fail(`response differs from the expected one:\n${e.message}`);
    }
    // Equal as messages is not enough for the benchmark: every server must put the same bytes on the wire.
    if (Buffer.compare(result.raw, expectedBytes) !== 0) {
      fail(`response is the same message but not the same ${expectedBytes.length} bytes (got ${result.raw.length})`);
    }
    process.stdout.write(`CHECK OK port=${port} grpc-status=0 response_bytes=${result.raw.length}\n`);
  });
}

main();
