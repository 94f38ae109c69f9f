#!/usr/bin/env node
// The Node side of the client benchmark: a @grpc/grpc-js client (stubs from @grpc/proto-loader, the usual way a
// Node service calls gRPC) keeping CONCURRENCY SubmitApplication calls in flight on one channel, for a warm-up and
// then a measured phase. Counts calls that ended OK with the expected response and the process's own CPU time.
//
//   node client.js --port N --concurrency C --warmup-s W --measure-s M --fixtures DIR
//
// Prints: RESULT client=grpc-js concurrency=C calls=N failed=F wall_s=S cpu_s=S failed_total=F
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const toolsRequire = createRequire(path.resolve(__dirname, '../../../tools/package.json'));
const grpc = toolsRequire('@grpc/grpc-js');
const protoLoader = toolsRequire('@grpc/proto-loader');
const { LOADER_OPTIONS, PROTO_ROOT } = require('../../grpc-js-server/fixtures');

function fail(message) {
  process.stderr.write(`client.js: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i + 1 < argv.length; i += 2) {
    opts[argv[i].replace(/^--/, '')] = argv[i + 1];
  }
  const port = Number(opts.port);
  const concurrency = Number(opts.concurrency);
  const warmup = Number(opts['warmup-s']);
  const measure = Number(opts['measure-s']);
  if (!Number.isInteger(port) || port <= 0 || !Number.isInteger(concurrency) || concurrency <= 0
      || !(warmup >= 0) || !(measure > 0) || !opts.fixtures) {
    process.stderr.write('usage: node client.js --port N --concurrency C --warmup-s W --measure-s M --fixtures DIR\n');
    process.exit(2);
  }
  return { port, concurrency, warmup, measure, fixtures: opts.fixtures };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const { port, concurrency, warmup, measure, fixtures } = parseArgs(process.argv.slice(2));
  const framed = fs.readFileSync(path.join(fixtures, 'submit-application-request.grpc'));
  const expectedBytes = fs.readFileSync(path.join(fixtures, 'submit-application-response.pb'));

  const definition = protoLoader.loadSync('connectorkit/v1/loan_applications.proto', { ...LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
  const method = definition['connectorkit.v1.LoanApplicationsService'].SubmitApplication;
  // Decoded without defaults: protobufjs writes an explicitly set proto3 zero (nanos: 0), Google.Protobuf never does.
  const bare = protoLoader.loadSync('connectorkit/v1/loan_applications.proto', { ...LOADER_OPTIONS, defaults: false, includeDirs: [PROTO_ROOT] });
  const request = bare['connectorkit.v1.LoanApplicationsService'].SubmitApplication.requestDeserialize(framed.subarray(5));
  // The same request bytes on the wire as the .NET client sends (LoanFixtures.CreateRequest()).
  if (Buffer.compare(method.requestSerialize(request), framed.subarray(5)) !== 0) {
    fail('protobufjs does not re-encode the fixture request to the same bytes');
  }
  const expected = method.responseDeserialize(expectedBytes);

  const Service = grpc.loadPackageDefinition(definition).connectorkit.v1.LoanApplicationsService;
  const client = new Service(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = () => new Promise((resolve, reject) => client.SubmitApplication(request, (err, response) => (err ? reject(err) : resolve(response))));

  // The first answer is compared whole; later ones by the fields a caller would look at (as the .NET client does).
  try {
    assert.deepStrictEqual(await call(), expected);
  } catch (err) {
    fail(`the first call failed or its response differs from the expected one: ${err.message}`);
  }

  let ok = 0;
  let bad = 0;
  let reported = false;
  let stop = false;
  const app = expected.application;
  async function worker() {
    while (!stop) {
      try {
        const a = (await call()).application;
        if (a && a.application_id === app.application_id && a.request_id === app.request_id
            && a.state === app.state && a.timeline.length === app.timeline.length) {
          ok++;
        } else {
          bad++;
        }
      } catch (err) {
        bad++;
        if (!reported) {
          reported = true;
          process.stderr.write(`call failed: ${err.code} ${err.details}\n`);
        }
      }
    }
  }

  const workers = Array.from({ length: concurrency }, worker);
  await sleep(warmup * 1000);
  const ok0 = ok;
  const bad0 = bad;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await sleep(measure * 1000);
  const ok1 = ok;
  const bad1 = bad;
  const cpu = process.cpuUsage(cpu0);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  stop = true;
  await Promise.all(workers);
  client.close();

  process.stdout.write(`RESULT client=grpc-js concurrency=${concurrency} calls=${ok1 - ok0} failed=${bad1 - bad0} `
    + `wall_s=${wall.toFixed(3)} cpu_s=${((cpu.user + cpu.system) / 1e6).toFixed(3)} failed_total=${bad}\n`);
  process.exit(bad === 0 ? 0 : 1);
}

main().catch((err) => fail(err.stack || String(err)));
