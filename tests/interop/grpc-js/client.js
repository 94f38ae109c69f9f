#!/usr/bin/env node
// ConnectorKit interop peer: a grpc.testing.TestService client on @grpc/grpc-js.
//
//   node client.js --server_host 127.0.0.1 --server_port N --test_case NAME
//
// Runs one test case (or "all") over HTTP/2 cleartext and prints, on stdout,
// one line per case: "PASS <name>" or "FAIL <name>: <reason>". Exit code 0
// when every case run passed, 1 when one failed, 2 on a usage error.
// "--test_case list" prints the case names, one per line.
//
// Options (also accepted as --flag=value):
//   --deadline_ms N           deadline of every call (default 10000)
//   --check_compressed_flag   also require the Compressed-Flag of responses in
//                             server_compressed_* to match what was asked
//                             (default: only note it on stderr)
//   --use_tls true|false      TLS (h2 negotiated by ALPN) instead of h2c (default false)
//   --ca_file PATH            PEM root certificate to trust with --use_tls true
//   --server_host_override X  the name checked against the server certificate
//
// Case semantics follow gRPC's interop test descriptions; see ../README.md.
'use strict';

const path = require('path');
const { createRequire } = require('module');

const toolsRequire = createRequire(path.resolve(__dirname, '../../../tools/package.json'));
const grpc = toolsRequire('@grpc/grpc-js');
const protoLoader = toolsRequire('@grpc/proto-loader');

const PROTO_ROOT = path.resolve(__dirname, '../protos');
const MiB = 1024 * 1024;
const NO_COMPRESS = 2; // grpc-js WriteFlags.NoCompress
const GZIP = 2; // grpc-js CompressionAlgorithms.gzip

const SPECIAL_STATUS_MESSAGE = '\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \uD83D\uDE08\t\n';
const CHINESE_STATUS_MESSAGE = '统一社会信用代码校验位错误：91350100M0001TGQXM';
const ECHO_INITIAL_KEY = 'x-grpc-test-echo-initial';
const ECHO_INITIAL_VALUE = 'test_initial_metadata_value';
const ECHO_TRAILING_KEY = 'x-grpc-test-echo-trailing-bin';
const ECHO_TRAILING_VALUE = Buffer.from([0xab, 0xab, 0xab]);

// ---------------------------------------------------------------------------
// Command line

function usage(message) {
  process.stderr.write(
    (message ? `client.js: ${message}\n` : '') +
      'usage: node client.js --server_host HOST --server_port N --test_case NAME|all|list\n' +
      '       [--deadline_ms N] [--check_compressed_flag] [--use_tls false]\n'
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { host: '127.0.0.1', port: null, testCase: null, deadlineMs: 10000, checkCompressedFlag: false, useTls: false, caFile: null, hostOverride: null };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (!arg.startsWith('--')) usage(`unexpected argument ${JSON.stringify(arg)}`);
    let value;
    const eq = arg.indexOf('=');
    if (eq >= 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '--check_compressed_flag') {
      opts.checkCompressedFlag = value === undefined || value === 'true';
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) usage(`${arg} needs a value`);
    }
    switch (arg) {
      case '--server_host':
        opts.host = value;
        break;
      case '--server_port':
        if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) usage(`bad --server_port ${JSON.stringify(value)}`);
        opts.port = Number(value);
        break;
      case '--test_case':
        opts.testCase = value;
        break;
      case '--deadline_ms':
        if (!/^\d+$/.test(value) || Number(value) < 1) usage(`bad --deadline_ms ${JSON.stringify(value)}`);
        opts.deadlineMs = Number(value);
        break;
      case '--use_tls':
        if (value !== 'false' && value !== 'true') usage('--use_tls takes true or false');
        opts.useTls = value === 'true';
        break;
      case '--ca_file':
        opts.caFile = value;
        break;
      case '--server_host_override':
        opts.hostOverride = value;
        break;
      default:
        usage(`unknown option ${arg}`);
    }
  }
  if (!opts.testCase) usage('--test_case is required');
  if (opts.testCase !== 'list' && opts.port === null) usage('--server_port is required');
  return opts;
}

// ---------------------------------------------------------------------------
// Observing the Compressed-Flag of received messages.
//
// grpc-js hides it, so we wrap its internal CompressionFilter.receiveMessage
// (private API of the pinned 1.14.x) and record byte 0 of every framed
// message received, in arrival order. Only used by server_compressed_*.

const receivedFlags = [];
let flagObserverInstalled = false;
try {
  const proto = toolsRequire('@grpc/grpc-js/build/src/compression-filter').CompressionFilter.prototype;
  if (typeof proto.receiveMessage === 'function') {
    const original = proto.receiveMessage;
    proto.receiveMessage = async function (message) {
      const framed = await message;
      if (Buffer.isBuffer(framed) && framed.length > 0) receivedFlags.push(framed[0]);
      return original.call(this, Promise.resolve(framed));
    };
    flagObserverInstalled = true;
  }
} catch (e) {
  flagObserverInstalled = false;
}

// ---------------------------------------------------------------------------
// Plumbing

class CaseFailure extends Error {}

function fail(reason) {
  throw new CaseFailure(reason);
}

function note(text) {
  process.stderr.write(`[interop-client] ${text}\n`);
}

const codeName = (code) => {
  const name = Object.keys(grpc.status).find((k) => grpc.status[k] === code);
  return name ? `${code} ${name}` : String(code);
};

function zeros(n) {
  return Buffer.alloc(n);
}

function checkPayload(what, payload, size) {
  if (!payload) fail(`${what}: expected a payload of ${size} bytes, got no payload`);
  const body = payload.body || Buffer.alloc(0);
  if (body.length !== size) fail(`${what}: expected payload body of ${size} bytes, got ${body.length}`);
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== 0) fail(`${what}: expected an all-zero body, byte ${i} is 0x${body[i].toString(16)}`);
  }
  if (payload.type !== 'COMPRESSABLE' && payload.type !== 0) {
    fail(`${what}: expected payload type COMPRESSABLE, got ${JSON.stringify(payload.type)}`);
  }
}

function checkOk(what, result) {
  if (result.status && result.status.code !== grpc.status.OK) {
    fail(`${what}: expected status 0 OK, got ${codeName(result.status.code)} ${JSON.stringify(result.status.details)}`);
  }
}

function checkStatus(what, status, code, details) {
  if (!status) fail(`${what}: expected status ${codeName(code)}, got no status`);
  if (status.code !== code) {
    fail(`${what}: expected status ${codeName(code)}, got ${codeName(status.code)} ${JSON.stringify(status.details)}`);
  }
  if (details !== undefined && status.details !== details) {
    fail(`${what}: expected status message ${JSON.stringify(details)}, got ${JSON.stringify(status.details)}`);
  }
}

function checkSizes(what, messages, sizes) {
  if (messages.length !== sizes.length) {
    fail(
      `${what}: expected ${sizes.length} responses sized [${sizes}], got ${messages.length} ` +
        `sized [${messages.map((m) => bodyLength(m.payload))}]`
    );
  }
  messages.forEach((m, i) => checkPayload(`${what} response ${i}`, m.payload, sizes[i]));
}

function bodyLength(payload) {
  return payload && payload.body ? payload.body.length : 0;
}

function echoRequestMetadata() {
  const md = new grpc.Metadata();
  md.set(ECHO_INITIAL_KEY, ECHO_INITIAL_VALUE);
  md.set(ECHO_TRAILING_KEY, ECHO_TRAILING_VALUE);
  return md;
}

function checkEchoedMetadata(what, headers, trailers) {
  const initial = headers ? headers.get(ECHO_INITIAL_KEY) : [];
  if (initial.length !== 1 || initial[0] !== ECHO_INITIAL_VALUE) {
    fail(`${what}: expected initial metadata ${ECHO_INITIAL_KEY}=${JSON.stringify(ECHO_INITIAL_VALUE)}, got ${JSON.stringify(initial.map(String))}`);
  }
  const trailing = trailers ? trailers.get(ECHO_TRAILING_KEY) : [];
  if (trailing.length !== 1 || !Buffer.isBuffer(trailing[0]) || !trailing[0].equals(ECHO_TRAILING_VALUE)) {
    fail(
      `${what}: expected trailing metadata ${ECHO_TRAILING_KEY}=0x${ECHO_TRAILING_VALUE.toString('hex')}, got ` +
        JSON.stringify(trailing.map((v) => (Buffer.isBuffer(v) ? '0x' + v.toString('hex') : String(v))))
    );
  }
}

// Records everything a call reports; `finished` resolves once the status is
// in (and, for streams, the read side has ended or failed).
class CallRecorder {
  constructor(call) {
    this.call = call;
    this.headers = null;
    this.status = null;
    this.messages = [];
    this.readPos = 0;
    this.ended = false;
    this.waiters = [];
    call.on('metadata', (md) => {
      this.headers = md;
    });
    call.on('status', (status) => {
      this.status = status;
      this.wake();
    });
    call.on('error', () => this.wake()); // the status carries the details
    if (typeof call.read === 'function') {
      call.on('data', (m) => {
        this.messages.push(m);
        this.wake();
      });
      call.on('end', () => {
        this.ended = true;
        this.wake();
      });
    } else {
      this.ended = true;
    }
  }

  wake() {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  waitFor(predicate) {
    return new Promise((resolve) => {
      const check = () => (predicate() ? resolve() : this.waiters.push(check));
      check();
    });
  }

  // Next message not yet consumed, or null if the call finished without one.
  async nextMessage() {
    await this.waitFor(() => this.readPos < this.messages.length || this.status !== null);
    if (this.readPos < this.messages.length) return this.messages[this.readPos++];
    return null;
  }

  async finished() {
    await this.waitFor(() => this.status !== null && (this.ended || this.status.code !== grpc.status.OK));
    // Let any 'end' queued behind the status run.
    await new Promise((resolve) => setImmediate(resolve));
    return this.status;
  }
}

// Unary call; resolves to { response, status, headers } whatever the outcome.
function unary(client, method, request, { metadata, deadline } = {}) {
  return new Promise((resolve) => {
    let response = null;
    let callbackDone = false;
    let settled = false;
    let rec = null;
    const done = () => {
      if (settled || !callbackDone || !rec.status) return;
      settled = true;
      resolve({ response, status: rec.status, headers: rec.headers });
    };
    const call = client[method](request, metadata || new grpc.Metadata(), { deadline }, (err, value) => {
      response = err ? null : value;
      callbackDone = true;
      setImmediate(done);
    });
    rec = new CallRecorder(call);
    call.on('status', () => setImmediate(done));
  });
}

// ---------------------------------------------------------------------------
// Test cases

function largeUnaryRequest(extra) {
  return { response_size: 314159, payload: { body: zeros(271828) }, ...extra };
}

const CASES = {};

CASES.empty_unary = async (ctx) => {
  const r = await unary(ctx.client, 'EmptyCall', {}, { deadline: ctx.deadline() });
  checkOk('EmptyCall', r);
  if (r.response === null || r.response === undefined) fail('EmptyCall: expected an Empty response, got none');
};

CASES.large_unary = async (ctx) => {
  const r = await unary(ctx.client, 'UnaryCall', largeUnaryRequest(), { deadline: ctx.deadline() });
  checkOk('UnaryCall', r);
  checkPayload('UnaryCall', r.response.payload, 314159);
};

CASES.client_streaming = async (ctx) => {
  const sizes = [27182, 8, 1828, 45904];
  const { recorder, result } = clientStream(ctx.client, { deadline: ctx.deadline() });
  for (const n of sizes) recorder.call.write({ payload: { body: zeros(n) } });
  recorder.call.end();
  const r = await result;
  checkOk('StreamingInputCall', r);
  if (r.response.aggregated_payload_size !== 74922) {
    fail(`StreamingInputCall: expected aggregated_payload_size 74922, got ${r.response.aggregated_payload_size}`);
  }
};

CASES.server_streaming = async (ctx) => {
  const sizes = [31415, 9, 2653, 58979];
  const call = ctx.client.StreamingOutputCall(
    { response_parameters: sizes.map((size) => ({ size })) },
    new grpc.Metadata(),
    { deadline: ctx.deadline() }
  );
  const rec = new CallRecorder(call);
  const status = await rec.finished();
  checkStatus('StreamingOutputCall', status, grpc.status.OK);
  checkSizes('StreamingOutputCall', rec.messages, sizes);
};

CASES.ping_pong = async (ctx) => {
  const requestSizes = [27182, 8, 1828, 45904];
  const responseSizes = [31415, 9, 2653, 58979];
  const call = ctx.client.FullDuplexCall(new grpc.Metadata(), { deadline: ctx.deadline() });
  const rec = new CallRecorder(call);
  for (let i = 0; i < requestSizes.length; i++) {
    call.write({ response_parameters: [{ size: responseSizes[i] }], payload: { body: zeros(requestSizes[i]) } });
    const m = await rec.nextMessage();
    if (m === null) {
      fail(`FullDuplexCall: call ended before response ${i}: ${codeName(rec.status.code)} ${JSON.stringify(rec.status.details)}`);
    }
    checkPayload(`FullDuplexCall response ${i}`, m.payload, responseSizes[i]);
  }
  call.end();
  const status = await rec.finished();
  checkStatus('FullDuplexCall', status, grpc.status.OK);
  if (rec.messages.length !== 4) fail(`FullDuplexCall: expected exactly 4 responses, got ${rec.messages.length}`);
};

CASES.empty_stream = async (ctx) => {
  const call = ctx.client.FullDuplexCall(new grpc.Metadata(), { deadline: ctx.deadline() });
  const rec = new CallRecorder(call);
  call.end();
  const status = await rec.finished();
  checkStatus('FullDuplexCall', status, grpc.status.OK);
  if (rec.messages.length !== 0) fail(`FullDuplexCall: expected 0 responses, got ${rec.messages.length}`);
};

async function statusEchoBoth(ctx, code, message) {
  const response_status = { code, message };
  const r = await unary(ctx.client, 'UnaryCall', { response_status }, { deadline: ctx.deadline() });
  checkStatus('UnaryCall', r.status, code, message);

  const call = ctx.client.FullDuplexCall(new grpc.Metadata(), { deadline: ctx.deadline() });
  const rec = new CallRecorder(call);
  call.write({ response_status });
  call.end();
  checkStatus('FullDuplexCall', await rec.finished(), code, message);
}

CASES.status_code_and_message = (ctx) => statusEchoBoth(ctx, grpc.status.UNKNOWN, 'test status message');

CASES.special_status_message = async (ctx) => {
  const response_status = { code: grpc.status.UNKNOWN, message: SPECIAL_STATUS_MESSAGE };
  const r = await unary(ctx.client, 'UnaryCall', { response_status }, { deadline: ctx.deadline() });
  checkStatus('UnaryCall', r.status, grpc.status.UNKNOWN, SPECIAL_STATUS_MESSAGE);
};

// Not an upstream case: a non-ASCII (CJK, full-width colon) status message
// must come back byte for byte, on unary and on full duplex.
CASES.chinese_status_message = (ctx) => statusEchoBoth(ctx, grpc.status.INVALID_ARGUMENT, CHINESE_STATUS_MESSAGE);

CASES.custom_metadata = async (ctx) => {
  const r = await unary(ctx.client, 'UnaryCall', largeUnaryRequest(), {
    metadata: echoRequestMetadata(),
    deadline: ctx.deadline(),
  });
  checkOk('UnaryCall', r);
  checkPayload('UnaryCall', r.response.payload, 314159);
  checkEchoedMetadata('UnaryCall', r.headers, r.status.metadata);

  const call = ctx.client.FullDuplexCall(echoRequestMetadata(), { deadline: ctx.deadline() });
  const rec = new CallRecorder(call);
  call.write({ response_parameters: [{ size: 314159 }], payload: { body: zeros(271828) } });
  call.end();
  const status = await rec.finished();
  checkStatus('FullDuplexCall', status, grpc.status.OK);
  checkSizes('FullDuplexCall', rec.messages, [314159]);
  checkEchoedMetadata('FullDuplexCall', rec.headers, status.metadata);
};

CASES.unimplemented_method = async (ctx) => {
  const r = await unary(ctx.client, 'UnimplementedCall', {}, { deadline: ctx.deadline() });
  checkStatus('TestService/UnimplementedCall', r.status, grpc.status.UNIMPLEMENTED);
};

CASES.unimplemented_service = async (ctx) => {
  const r = await unary(ctx.unimplementedClient, 'UnimplementedCall', {}, { deadline: ctx.deadline() });
  checkStatus('UnimplementedService/UnimplementedCall', r.status, grpc.status.UNIMPLEMENTED);
};

// Client-streaming call; resolves like unary() once the status is in.
function clientStream(client, { metadata, deadline } = {}) {
  let response = null;
  let rec;
  const result = new Promise((resolve) => {
    let callbackDone = false;
    let settled = false;
    const done = () => {
      if (settled || !callbackDone || !rec.status) return;
      settled = true;
      resolve({ response, status: rec.status, headers: rec.headers });
    };
    const call = client.StreamingInputCall(metadata || new grpc.Metadata(), { deadline }, (err, value) => {
      response = err ? null : value;
      callbackDone = true;
      setImmediate(done);
    });
    rec = new CallRecorder(call);
    call.on('status', () => setImmediate(done));
  });
  return { recorder: rec, result };
}

CASES.cancel_after_begin = async (ctx) => {
  const { recorder, result } = clientStream(ctx.client, { deadline: ctx.deadline() });
  recorder.call.cancel();
  const r = await result;
  checkStatus('StreamingInputCall', r.status, grpc.status.CANCELLED);
};

CASES.cancel_after_first_response = async (ctx) => {
  const call = ctx.client.FullDuplexCall(new grpc.Metadata(), { deadline: ctx.deadline() });
  const rec = new CallRecorder(call);
  call.write({ response_parameters: [{ size: 31415 }], payload: { body: zeros(27182) } });
  const m = await rec.nextMessage();
  if (m === null) fail(`FullDuplexCall: ended before the first response: ${codeName(rec.status.code)} ${JSON.stringify(rec.status.details)}`);
  checkPayload('FullDuplexCall first response', m.payload, 31415);
  call.cancel();
  checkStatus('FullDuplexCall', await rec.finished(), grpc.status.CANCELLED);
};

CASES.timeout_on_sleeping_server = async (ctx) => {
  const call = ctx.client.FullDuplexCall(new grpc.Metadata(), { deadline: new Date(Date.now() + 1) });
  const rec = new CallRecorder(call);
  call.write({ payload: { body: zeros(27182) } });
  checkStatus('FullDuplexCall (1 ms deadline)', await rec.finished(), grpc.status.DEADLINE_EXCEEDED);
};

CASES.client_compressed_unary = async (ctx) => {
  // Probe: an uncompressed message with expect_compressed=true must be refused.
  const probe = await unary(ctx.client, 'UnaryCall', largeUnaryRequest({ expect_compressed: { value: true } }), {
    deadline: ctx.deadline(),
  });
  if (probe.status.code === grpc.status.OK) {
    fail('probe: sent an uncompressed request with expect_compressed=true, expected 3 INVALID_ARGUMENT, got 0 OK (server does not check expect_compressed)');
  }
  checkStatus('probe (uncompressed, expect_compressed=true)', probe.status, grpc.status.INVALID_ARGUMENT);

  const compressed = await unary(ctx.gzipClient(), 'UnaryCall', largeUnaryRequest({ expect_compressed: { value: true } }), {
    deadline: ctx.deadline(),
  });
  checkOk('gzip request, expect_compressed=true', compressed);
  checkPayload('gzip request, expect_compressed=true', compressed.response.payload, 314159);

  const plain = await unary(ctx.client, 'UnaryCall', largeUnaryRequest({ expect_compressed: { value: false } }), {
    deadline: ctx.deadline(),
  });
  checkOk('uncompressed request, expect_compressed=false', plain);
  checkPayload('uncompressed request, expect_compressed=false', plain.response.payload, 314159);
};

CASES.client_compressed_streaming = async (ctx) => {
  const probe = clientStream(ctx.client, { deadline: ctx.deadline() });
  probe.recorder.call.write({ expect_compressed: { value: true }, payload: { body: zeros(27182) } });
  probe.recorder.call.end();
  const pr = await probe.result;
  if (pr.status.code === grpc.status.OK) {
    fail('probe: sent an uncompressed message with expect_compressed=true, expected 3 INVALID_ARGUMENT, got 0 OK (server does not check expect_compressed)');
  }
  checkStatus('probe (uncompressed, expect_compressed=true)', pr.status, grpc.status.INVALID_ARGUMENT);

  // One stream: first message gzip-compressed, second sent with NoCompress.
  const { recorder, result } = clientStream(ctx.gzipClient(), { deadline: ctx.deadline() });
  recorder.call.write({ expect_compressed: { value: true }, payload: { body: zeros(27182) } });
  recorder.call.write({ expect_compressed: { value: false }, payload: { body: zeros(45904) } }, NO_COMPRESS);
  recorder.call.end();
  const r = await result;
  checkOk('StreamingInputCall (compressed then uncompressed)', r);
  if (r.response.aggregated_payload_size !== 73086) {
    fail(`StreamingInputCall: expected aggregated_payload_size 73086, got ${r.response.aggregated_payload_size}`);
  }
};

function checkCompressedFlags(ctx, what, flags, wanted) {
  const shown = `Compressed-Flag per response: got [${flags}], asked for [${wanted.map((w) => (w ? 1 : 0))}]`;
  const matches = flags.length === wanted.length && flags.every((f, i) => (f === 1) === wanted[i]);
  if (!flagObserverInstalled) {
    if (ctx.opts.checkCompressedFlag) fail(`${what}: cannot observe the Compressed-Flag (grpc-js internals changed)`);
    return;
  }
  if (matches) {
    note(`${what}: ${shown}`);
  } else if (ctx.opts.checkCompressedFlag) {
    fail(`${what}: ${shown}`);
  } else {
    note(`${what}: ${shown} (not enforced; use --check_compressed_flag)`);
  }
}

CASES.server_compressed_unary = async (ctx) => {
  for (const want of [true, false]) {
    const what = `UnaryCall response_compressed=${want}`;
    receivedFlags.length = 0;
    const r = await unary(ctx.client, 'UnaryCall', largeUnaryRequest({ response_compressed: { value: want } }), {
      deadline: ctx.deadline(),
    });
    checkOk(what, r);
    checkPayload(what, r.response.payload, 314159);
    checkCompressedFlags(ctx, what, receivedFlags.slice(), [want]);
  }
};

CASES.server_compressed_streaming = async (ctx) => {
  receivedFlags.length = 0;
  const call = ctx.client.StreamingOutputCall(
    {
      response_parameters: [
        { compressed: { value: true }, size: 31415 },
        { compressed: { value: false }, size: 92653 },
      ],
    },
    new grpc.Metadata(),
    { deadline: ctx.deadline() }
  );
  const rec = new CallRecorder(call);
  const status = await rec.finished();
  checkStatus('StreamingOutputCall', status, grpc.status.OK);
  checkSizes('StreamingOutputCall', rec.messages, [31415, 92653]);
  checkCompressedFlags(ctx, 'StreamingOutputCall', receivedFlags.slice(), [true, false]);
};

// Not upstream cases: message size limits must surface as RESOURCE_EXHAUSTED.
CASES.oversize_request = async (ctx) => {
  // Assumes the server's receive limit is the usual 4 MiB.
  const r = await unary(ctx.client, 'UnaryCall', { response_size: 0, payload: { body: zeros(5 * MiB) } }, {
    deadline: ctx.deadline(),
  });
  checkStatus('UnaryCall with a 5 MiB request (server limit 4 MiB)', r.status, grpc.status.RESOURCE_EXHAUSTED);
};

CASES.oversize_response = async (ctx) => {
  // Control: with an 8 MiB receive limit the 5 MiB response must arrive, so
  // the RESOURCE_EXHAUSTED below comes from the client's limit, not from a
  // send limit on the server.
  const control = await unary(ctx.largeReceiveClient(), 'UnaryCall', { response_size: 5 * MiB }, { deadline: ctx.deadline() });
  checkOk('control: UnaryCall asking for a 5 MiB response (client limit 8 MiB)', control);
  checkPayload('control: UnaryCall asking for a 5 MiB response (client limit 8 MiB)', control.response.payload, 5 * MiB);

  const r = await unary(ctx.smallReceiveClient(), 'UnaryCall', { response_size: 5 * MiB }, { deadline: ctx.deadline() });
  checkStatus('UnaryCall asking for a 5 MiB response (client limit 4 MiB)', r.status, grpc.status.RESOURCE_EXHAUSTED);
};

// ---------------------------------------------------------------------------
// Driver

function loadServices() {
  const definition = protoLoader.loadSync('grpc/testing/test.proto', {
    includeDirs: [PROTO_ROOT],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).grpc.testing;
}

function makeContext(opts) {
  const testing = loadServices();
  const target = `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${opts.port}`;
  const creds = opts.useTls
    ? grpc.credentials.createSsl(opts.caFile ? require('fs').readFileSync(opts.caFile) : null)
    : grpc.credentials.createInsecure();
  const tlsOptions = opts.useTls && opts.hostOverride ? { 'grpc.ssl_target_name_override': opts.hostOverride, 'grpc.default_authority': opts.hostOverride } : {};
  const clients = [];
  const make = (Ctor, options) => {
    const c = new Ctor(target, creds, { ...tlsOptions, ...options });
    clients.push(c);
    return c;
  };
  const lazy = (factory) => {
    let value = null;
    return () => value || (value = factory());
  };
  return {
    opts,
    deadline: () => new Date(Date.now() + opts.deadlineMs),
    client: make(testing.TestService, {}),
    unimplementedClient: make(testing.UnimplementedService, {}),
    gzipClient: lazy(() => make(testing.TestService, { 'grpc.default_compression_algorithm': GZIP })),
    smallReceiveClient: lazy(() => make(testing.TestService, { 'grpc.max_receive_message_length': 4 * MiB })),
    largeReceiveClient: lazy(() => make(testing.TestService, { 'grpc.max_receive_message_length': 8 * MiB })),
    close: () => clients.forEach((c) => c.close()),
  };
}

function oneLine(text) {
  return String(text).replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

async function runCase(ctx, name) {
  let timer;
  const watchdog = new Promise((resolve) => {
    timer = setTimeout(
      () => resolve(`watchdog: case did not finish within ${2 * ctx.opts.deadlineMs + 5000} ms`),
      2 * ctx.opts.deadlineMs + 5000
    );
  });
  const run = (async () => {
    try {
      await CASES[name](ctx);
      return null;
    } catch (err) {
      if (err instanceof CaseFailure) return err.message;
      return `unexpected error: ${err && err.stack ? err.stack : err}`;
    }
  })();
  const failure = await Promise.race([run, watchdog]);
  clearTimeout(timer);
  process.stdout.write(failure === null ? `PASS ${name}\n` : `FAIL ${name}: ${oneLine(failure)}\n`);
  return failure === null;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.testCase === 'list') {
    process.stdout.write(Object.keys(CASES).join('\n') + '\n');
    process.exit(0);
  }
  const names = opts.testCase === 'all' ? Object.keys(CASES) : [opts.testCase];
  for (const n of names) {
    if (!CASES[n]) usage(`unknown test case ${JSON.stringify(n)} (try --test_case list)`);
  }
  const ctx = makeContext(opts);
  let allPassed = true;
  for (const n of names) {
    if (!(await runCase(ctx, n))) allPassed = false;
  }
  ctx.close();
  process.exit(allPassed ? 0 : 1);
}

main();
