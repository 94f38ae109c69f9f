// What server.js answers and how check.js reads it: the same response as bench/UnaryServers/LoanFixtures.cs,
// field by field, in proto-loader's object form.
'use strict';

const path = require('path');

const PROTO_ROOT = path.resolve(__dirname, '../../proto');

// The options of grpc-js's own examples: the usual way a Node service loads its protos.
const LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

const CREDIT_CODE = '91310110666007217T';
const REQUEST_ID = '0f8c6b2e-5d1a-4c7e-9b3f-2a6d8e1c4b70';

// Zero values are left out, not set: protobufjs writes an explicitly set proto3 zero, Google.Protobuf never does,
// and both servers should put the same bytes on the wire.
function utc(iso) {
  return { seconds: String(Date.parse(iso) / 1000) };
}

function createResponse() {
  return {
    application: {
      application_id: 'APP-20250603-000123',
      request_id: REQUEST_ID,
      enterprise_credit_code: CREDIT_CODE,
      product: 'PRODUCT_TYPE_PARK_GUARANTEE_LOAN',
      requested_amount: { units_minor: '500000000', currency_code: 'CNY' }, // 5,000,000.00 CNY in fen
      term_months: 36,
      state: 'APPLICATION_STATE_SUBMITTED',
      timeline: [
        {
          state: 'APPLICATION_STATE_SUBMITTED',
          at: utc('2025-06-03T02:15:30Z'),
          sequence: '1',
          note: 'Application received',
        },
      ],
      disbursed_total: { currency_code: 'CNY' }, // 0 fen
    },
  };
}

module.exports = { PROTO_ROOT, LOADER_OPTIONS, createResponse };
