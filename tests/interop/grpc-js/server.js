#!/usr/bin/env node
// ConnectorKit interop peer: grpc.testing.TestService served by @grpc/grpc-js.
//
//   node server.js --port N [--max_receive_bytes N]
//
// Binds 127.0.0.1:N without TLS (HTTP/2 cleartext; N = 0 picks a free port),
// prints exactly one line "LISTENING <port>" to stdout once bound, and exits
// with code 0 on SIGTERM/SIGINT or when stdin (if it is a pipe or socket) is
// closed. Diagnostics go to stderr only.
//
// Behaviour follows the "Server" section of gRPC's interop test descriptions;
// see ../README.md for the details a second implementation has to match.
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const { createRequire } = require('module');

// The tests folder has no node_modules; the pinned packages live in tools/.
const toolsRequire = createRequire(path.resolve(__dirname, '../../../tools/package.json'));
const grpc = toolsRequire('@grpc/grpc-js');
const protoLoader = toolsRequire('@grpc/proto-loader');

const PROTO_ROOT = path.resolve(__dirname, '../protos');
const ECHO_INITIAL_KEY = 'x-grpc-test-echo-initial';
const ECHO_TRAILING_KEY = 'x-grpc-test-echo-trailing-bin';

// ---------------------------------------------------------------------------
// Command line

function usage(message) {
  process.stderr.write(
    (message ? `server.js: ${message}\n` : '') +
      'usage: node server.js --port N [--max_receive_bytes N] [--use_tls false]\n'
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { port: null, maxReceiveBytes: 4 * 1024 * 1024 };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (!arg.startsWith('--')) usage(`unexpected argument ${JSON.stringify(arg)}`);
    let value;
    const eq = arg.indexOf('=');
    if (eq >= 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    } else {
      value = argv[++i];
      if (value === undefined) usage(`${arg} needs a value`);
    }
    switch (arg) {
      case '--port':
        if (!/^\d+$/.test(value) || Number(value) > 65535) usage(`bad --port ${JSON.stringify(value)}`);
        opts.port = Number(value);
        break;
      case '--max_receive_bytes':
        if (!/^-?\d+$/.test(value)) usage(`bad --max_receive_bytes ${JSON.stringify(value)}`);
        opts.maxReceiveBytes = Number(value); // -1 = unlimited (grpc-js convention)
        break;
      case '--use_tls':
        if (value !== 'false') usage('only --use_tls false is supported (h2c)');
        break;
      default:
        usage(`unknown option ${arg}`);
    }
  }
  if (opts.port === null) usage('--port is required');
  return opts;
}

function warn(text) {
  process.stderr.write(`[interop-server] ${text}\n`);
}

// ---------------------------------------------------------------------------
// Wire-level hooks.
//
// grpc-js (1.14.x) gives handlers neither the per-message "compressed" flag of
// a request nor any way to compress a response. The interop tests need both
// (CompressedRequest / CompressedResponse features), so we wrap three methods
// of grpc-js's internal BaseServerInterceptingCall. They are private API of
// the pinned version; if they are missing, the hooks switch themselves off,
// expect_compressed is not checked and responses are sent uncompressed.

const WAS_COMPRESSED = Symbol('interop.requestWasCompressed'); // on decoded requests
const COMPRESS_RESPONSE = Symbol('interop.compressResponse'); // on response objects
const GZIP_DECLARED = Symbol('interop.gzipDeclared'); // on server call objects

function installWireHooks() {
  const hooks = { requestFlag: false, responseCompression: false };
  let proto;
  try {
    proto = toolsRequire('@grpc/grpc-js/build/src/server-interceptors').BaseServerInterceptingCall.prototype;
  } catch (e) {
    warn(`grpc-js internals not found (${e.message}); compression checks disabled`);
    return hooks;
  }

  if (typeof proto.decompressMessage === 'function') {
    const original = proto.decompressMessage;
    // Called once per received message with the 5-byte-prefixed frame; byte 0
    // is the Compressed-Flag. Tag the decoded bytes so deserialize can copy
    // the flag onto the request object the handler sees.
    proto.decompressMessage = function (framed, encoding) {
      const compressed = Buffer.isBuffer(framed) && framed.length > 0 && framed[0] === 1;
      const tag = (bytes) => {
        if (bytes && typeof bytes === 'object') bytes[WAS_COMPRESSED] = compressed;
        return bytes;
      };
      const out = original.call(this, framed, encoding);
      return out && typeof out.then === 'function' ? out.then(tag) : tag(out);
    };
    hooks.requestFlag = true;
  } else {
    warn('grpc-js decompressMessage not found; expect_compressed will not be checked');
  }

  if (typeof proto.serializeMessage === 'function' && typeof proto.sendMetadata === 'function') {
    const originalSendMetadata = proto.sendMetadata;
    proto.sendMetadata = function (metadata) {
      if (!this.metadataSent && !this[GZIP_DECLARED]) {
        this[GZIP_DECLARED] = !!metadata && metadata.get('grpc-encoding')[0] === 'gzip';
      }
      return originalSendMetadata.call(this, metadata);
    };
    const originalSerialize = proto.serializeMessage;
    proto.serializeMessage = function (value) {
      const framed = originalSerialize.call(this, value);
      if (!value || value[COMPRESS_RESPONSE] !== true) return framed;
      if (!this[GZIP_DECLARED]) {
        warn('compressed response wanted but grpc-encoding: gzip was not sent; sending uncompressed');
        return framed;
      }
      const body = zlib.gzipSync(framed.subarray(5));
      const out = Buffer.allocUnsafe(body.length + 5);
      out.writeUInt8(1, 0); // Compressed-Flag
      out.writeUInt32BE(body.length, 1);
      body.copy(out, 5);
      return out;
    };
    hooks.responseCompression = true;
  } else {
    warn('grpc-js serializeMessage/sendMetadata not found; responses are never compressed');
  }
  return hooks;
}

// ---------------------------------------------------------------------------
// Helpers shared by the handlers

const hooks = installWireHooks();

function statusError(code, details) {
  return { code, details };
}

// Builds a zero-filled payload, or throws an INVALID_ARGUMENT status.
function makePayload(type, size) {
  if (type !== 'COMPRESSABLE' && type !== 0) {
    throw statusError(grpc.status.INVALID_ARGUMENT, `unsupported response_type ${JSON.stringify(type)}`);
  }
  if (!Number.isInteger(size) || size < 0) {
    throw statusError(grpc.status.INVALID_ARGUMENT, `bad response size ${size}`);
  }
  return { type: 'COMPRESSABLE', body: Buffer.alloc(size) };
}

function bodyLength(payload) {
  return payload && payload.body ? payload.body.length : 0;
}

// Metadata to echo: x-grpc-test-echo-initial goes back in the response
// headers, x-grpc-test-echo-trailing-bin in the trailers.
function echoMetadata(call) {
  const initial = new grpc.Metadata();
  const trailing = new grpc.Metadata();
  for (const v of call.metadata.get(ECHO_INITIAL_KEY)) initial.add(ECHO_INITIAL_KEY, v);
  for (const v of call.metadata.get(ECHO_TRAILING_KEY)) trailing.add(ECHO_TRAILING_KEY, v);
  const hasInitial = initial.get(ECHO_INITIAL_KEY).length > 0;
  return { initial, trailing, hasInitial };
}

// Status the client asked for with response_status; null when none (or OK).
function echoedStatus(request) {
  const s = request.response_status;
  if (!s || !s.code) return null;
  return statusError(s.code, s.message || '');
}

// INVALID_ARGUMENT when expect_compressed is true and the message was not
// sent with the Compressed-Flag set; null otherwise.
function checkExpectCompressed(request) {
  if (!request.expect_compressed || !request.expect_compressed.value) return null;
  if (!hooks.requestFlag) return null; // cannot tell: behave like a server without CompressedRequest
  if (request[WAS_COMPRESSED] === true) return null;
  return statusError(grpc.status.INVALID_ARGUMENT, 'expected a compressed request message, got an uncompressed one');
}

function wantsCompression(boolValue) {
  return !!(boolValue && boolValue.value);
}

function toStatus(err) {
  if (err && typeof err.code === 'number') return err;
  warn(`handler failure: ${err && err.stack ? err.stack : err}`);
  return statusError(grpc.status.INTERNAL, `server error: ${err && err.message ? err.message : err}`);
}

function sleepMicros(us) {
  if (!us || us <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.round(us / 1000))));
}

// ---------------------------------------------------------------------------
// TestService

function emptyCall(call, callback) {
  const echo = echoMetadata(call);
  if (echo.hasInitial) call.sendMetadata(echo.initial);
  callback(null, {}, echo.trailing);
}

function unaryCall(call, callback) {
  const echo = echoMetadata(call);
  const request = call.request;
  const fail = (err) => {
    if (echo.hasInitial) call.sendMetadata(echo.initial);
    callback({ ...err, metadata: echo.trailing });
  };
  try {
    const bad = checkExpectCompressed(request) || echoedStatus(request);
    if (bad) return fail(bad);
    const response = { payload: makePayload(request.response_type, request.response_size) };
    const compress = wantsCompression(request.response_compressed) && hooks.responseCompression;
    if (compress) {
      echo.initial.set('grpc-encoding', 'gzip');
      response[COMPRESS_RESPONSE] = true;
    }
    if (compress || echo.hasInitial) call.sendMetadata(echo.initial);
    callback(null, response, echo.trailing);
  } catch (err) {
    fail(toStatus(err));
  }
}

function cacheableUnaryCall(call, callback) {
  const echo = echoMetadata(call);
  // The request content is ignored; the payload is a nanosecond timestamp so
  // every uncached answer differs.
  const nanos = BigInt(Date.now()) * 1000000n + (process.hrtime.bigint() % 1000000n);
  echo.initial.set('cache-control', 'max-age=60, public');
  call.sendMetadata(echo.initial);
  callback(null, { payload: { type: 'COMPRESSABLE', body: Buffer.from(nanos.toString(), 'ascii') } }, echo.trailing);
}

function streamingInputCall(call, callback) {
  const echo = echoMetadata(call);
  if (echo.hasInitial) call.sendMetadata(echo.initial);
  let total = 0;
  let finished = false;
  call.on('data', (request) => {
    if (finished) return;
    const bad = checkExpectCompressed(request);
    if (bad) {
      finished = true;
      callback({ ...bad, metadata: echo.trailing });
      return;
    }
    total += bodyLength(request.payload);
  });
  call.on('end', () => {
    if (finished) return;
    finished = true;
    callback(null, { aggregated_payload_size: total }, echo.trailing);
  });
  call.on('error', () => {
    finished = true;
  });
}

// Shared by the three server-streaming methods: sends responses for one
// StreamingOutputCallRequest and finishes the call with echoed metadata.
class ResponseStream {
  constructor(call) {
    this.call = call;
    this.echo = echoMetadata(call);
    this.headersSent = false;
    this.gzip = false;
    this.finished = false;
    this.cancelled = false;
    call.on('cancelled', () => {
      this.cancelled = true;
    });
    call.on('error', () => {});
  }

  get stopped() {
    return this.finished || this.cancelled;
  }

  sendHeaders(wantGzip) {
    if (this.headersSent) return;
    this.headersSent = true;
    if (wantGzip && hooks.responseCompression) {
      this.echo.initial.set('grpc-encoding', 'gzip');
      this.gzip = true;
    }
    this.call.sendMetadata(this.echo.initial);
  }

  // Answers one request: status echo first (no further processing), else one
  // response per ResponseParameters with interval_us sleeps before each.
  async serve(request) {
    if (this.stopped) return;
    const bad = echoedStatus(request);
    if (bad) return this.fail(bad);
    const params = request.response_parameters || [];
    for (const p of params) {
      makePayload(request.response_type, p.size); // validate before sleeping
    }
    for (const p of params) {
      await sleepMicros(p.interval_us);
      if (this.stopped) return;
      const compress = wantsCompression(p.compressed);
      this.sendHeaders(compress);
      const response = { payload: makePayload(request.response_type, p.size) };
      if (compress && this.gzip) response[COMPRESS_RESPONSE] = true;
      this.call.write(response);
    }
  }

  ok() {
    if (this.stopped) return;
    this.finished = true;
    this.sendHeaders(false);
    this.call.end(this.echo.trailing);
  }

  fail(err) {
    if (this.stopped) return;
    this.finished = true;
    if (this.echo.hasInitial) this.sendHeaders(false);
    this.call.emit('error', { ...toStatus(err), metadata: this.echo.trailing });
  }
}

function streamingOutputCall(call) {
  const out = new ResponseStream(call);
  out.serve(call.request).then(
    () => out.ok(),
    (err) => out.fail(err)
  );
}

function fullDuplexCall(call) {
  const out = new ResponseStream(call);
  let chain = Promise.resolve();
  const queue = (step) => {
    chain = chain.then(step).catch((err) => out.fail(err));
  };
  call.on('data', (request) => queue(() => out.serve(request)));
  call.on('end', () => queue(() => out.ok()));
}

function halfDuplexCall(call) {
  const out = new ResponseStream(call);
  const requests = [];
  call.on('data', (request) => requests.push(request));
  call.on('end', async () => {
    try {
      for (const request of requests) await out.serve(request);
      out.ok();
    } catch (err) {
      out.fail(err);
    }
  });
}

// ---------------------------------------------------------------------------
// Service definition with request deserializers that carry the
// Compressed-Flag onto the decoded message (see installWireHooks).

function withCompressionTags(serviceDefinition) {
  const wrapped = {};
  for (const [name, method] of Object.entries(serviceDefinition)) {
    const deserialize = method.requestDeserialize;
    wrapped[name] = {
      ...method,
      requestDeserialize(bytes) {
        const message = deserialize(bytes);
        if (message && typeof message === 'object' && bytes && bytes[WAS_COMPRESSED] !== undefined) {
          Object.defineProperty(message, WAS_COMPRESSED, { value: bytes[WAS_COMPRESSED], enumerable: false });
        }
        return message;
      },
    };
  }
  return wrapped;
}

function loadTestService() {
  const definition = protoLoader.loadSync('grpc/testing/test.proto', {
    includeDirs: [PROTO_ROOT],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return grpc.loadPackageDefinition(definition).grpc.testing.TestService.service;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const server = new grpc.Server({
    'grpc.max_receive_message_length': opts.maxReceiveBytes,
    'grpc.max_send_message_length': -1,
  });
  // UnimplementedCall is left out on purpose: grpc-js answers it with
  // UNIMPLEMENTED. UnimplementedService is not registered at all.
  server.addService(withCompressionTags(loadTestService()), {
    EmptyCall: emptyCall,
    UnaryCall: unaryCall,
    CacheableUnaryCall: cacheableUnaryCall,
    StreamingOutputCall: streamingOutputCall,
    StreamingInputCall: streamingInputCall,
    FullDuplexCall: fullDuplexCall,
    HalfDuplexCall: halfDuplexCall,
  });

  let stopping = false;
  const stop = (why) => {
    if (stopping) return;
    stopping = true;
    warn(`stopping (${why})`);
    server.forceShutdown();
    process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  server.bindAsync(`127.0.0.1:${opts.port}`, grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
      warn(`bind failed: ${err.message}`);
      process.exit(1);
    }
    process.stdout.write(`LISTENING ${port}\n`);
    // A parent that spawned us with a pipe on stdin can stop us by closing it
    // (or by dying). /dev/null or a terminal on stdin is not watched.
    let stdinIsPipe = false;
    try {
      const st = fs.fstatSync(0);
      stdinIsPipe = st.isFIFO() || st.isSocket();
    } catch (e) {
      stdinIsPipe = false;
    }
    if (stdinIsPipe) {
      process.stdin.on('end', () => stop('stdin closed'));
      process.stdin.on('close', () => stop('stdin closed'));
      process.stdin.on('error', () => stop('stdin error'));
      process.stdin.resume();
    }
  });
}

main();
