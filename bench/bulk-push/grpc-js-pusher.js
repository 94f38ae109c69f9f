#!/usr/bin/env node
// The grpc-js side of the bulk-push benchmark: the same profiles as BulkPusher (SampleData's shape, one consent per
// enterprise), pushed with @grpc/grpc-js into CreditDataService.StreamCreditProfiles in chunks of --chunk profiles, one
// client-streaming call per chunk, honouring write back-pressure ('drain'), as ConnectorKit.Client does.
//
//   node grpc-js-pusher.js --address host:port --token T --bank-id ID --count N --bank-pid PID [--sample-every K] [--chunk C]
//
// Prints the same tab-separated SAMPLE and RESULT lines as BulkPusher.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const toolsRequire = createRequire(path.resolve(__dirname, '../../tools/package.json'));
const grpc = toolsRequire('@grpc/grpc-js');
const protoLoader = toolsRequire('@grpc/proto-loader');

const PROTO_ROOT = path.resolve(__dirname, '../../proto');
const LOADER_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const DAY = 86400;

function args(argv) {
  const out = {};
  for (let i = 0; i + 1 < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const required of ['address', 'token', 'bank-id', 'count', 'bank-pid']) {
    if (!(required in out)) {
      process.stderr.write(`missing --${required}\n`);
      process.exit(2);
    }
  }
  return out;
}

// GB 32100 check character, as UnifiedSocialCreditCode.ComputeCheckCharacter.
function creditCode(n) {
  const body = '9131011' + String(n).padStart(10, '0');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CHARSET.indexOf(body[i]) * WEIGHTS[i];
  const c = 31 - (sum % 31);
  return body + CHARSET[c === 31 ? 0 : c];
}

function ts(seconds) {
  return { seconds: String(Math.floor(seconds)), nanos: 0 };
}

// Field for field what SampleData.Profile and SampleData.Consent build.
function profile(n, bankId) {
  const code = creditCode(n);
  const now = Date.now() / 1000;
  return {
    enterprise: {
      credit_code: code,
      name: '上海测试科技有限公司',
      division_code: '310110',
      industry_code: 'C3911',
      size: 'ENTERPRISE_SIZE_SMALL',
      annual_revenue: { units_minor: '1500000000', currency_code: 'CNY' },
    },
    consent: {
      consent_id: 'CONSENT-' + String(n).padStart(10, '0'),
      enterprise_credit_code: code,
      scopes: ['CONSENT_SCOPE_CREDIT_PROFILE'],
      grantee_bank_id: bankId,
      purpose: 'credit assessment for loan application',
      granted_at: ts(now - DAY),
      expires_at: ts(now + 180 * DAY),
    },
    version: '1',
    grade: 'CREDIT_GRADE_GOOD',
    score: 720,
    dimensions: [
      { group: 'DIMENSION_GROUP_TRUST_KEEPING', code: 'tax', value: 'A', level: 'DIMENSION_LEVEL_POSITIVE', description: 'Tax credit rating A', observed_at: ts(now - 30 * DAY) },
      { group: 'DIMENSION_GROUP_BASIC', code: 'social_insurance', value: '42', level: 'DIMENSION_LEVEL_NEUTRAL', description: 'Insured employees', observed_at: ts(now - 30 * DAY) },
    ],
    innovation_points: {
      total_points: 40,
      indicators: [{ code: 'patents', name: 'Invention patents', points: 40, national: true }],
    },
    source: 'platform-sh',
    as_of: ts(now - 3600),
  };
}

function rssKb(pid) {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : -1;
}

function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function pushChunk(client, metadata, from, to, bankId) {
  return new Promise((resolve, reject) => {
    const call = client.StreamCreditProfiles(metadata, { deadline: Date.now() + 120000 }, (err, response) => (err ? reject(err) : resolve(response)));
    let i = from;
    const writeMore = () => {
      while (i < to) {
        const ok = call.write({ profile: profile(i, bankId) });
        i++;
        if (!ok) {
          call.once('drain', writeMore);
          return;
        }
      }
      call.end();
    };
    writeMore();
  });
}

async function main() {
  const a = args(process.argv.slice(2));
  const count = Number(a.count);
  const every = Number(a['sample-every'] || 100000);
  const chunk = Number(a.chunk || 1000);
  const bankPid = Number(a['bank-pid']);
  const definition = protoLoader.loadSync('connectorkit/v1/credit_data.proto', { ...LOADER_OPTIONS, includeDirs: [PROTO_ROOT] });
  const proto = grpc.loadPackageDefinition(definition);
  const client = new proto.connectorkit.v1.CreditDataService(a.address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  metadata.set('authorization', 'Bearer ' + a.token);

  const start = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - start) / 1e6;
  const sample = (acked) => console.log(['SAMPLE', acked, elapsedMs().toFixed(1), rssKb(bankPid), cpuTicks(bankPid), cpuTicks(process.pid)].join('\t'));
  sample(0);
  let applied = 0, stale = 0, rejected = 0, chunks = 0, next = every;
  for (let from = 0; from < count; from += chunk) {
    const to = Math.min(count, from + chunk);
    const response = await pushChunk(client, metadata, from, to, a['bank-id']);
    applied += Number(response.applied_count);
    stale += Number(response.stale_count);
    rejected += Number(response.rejected_count);
    if (rejected > 0 && response.rejections.length > 0) process.stderr.write(JSON.stringify(response.rejections[0]) + '\n');
    chunks++;
    if (to >= next) {
      sample(to);
      while (next <= to) next += every;
    }
  }
  console.log(['RESULT', applied, stale, rejected, chunks, chunks, elapsedMs().toFixed(0)].join('\t'));
  client.close();
  process.exit(applied === count && rejected === 0 ? 0 : 1);
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
