// Self-test for evaluate.mjs. Run with:  node_modules/.bin/node --test tools/iameval/evaluate.test.mjs
// (Node 22 built-in test runner; no other dependencies.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { evaluateCases } from './evaluate.mjs';

const CLI = fileURLToPath(new URL('./evaluate.mjs', import.meta.url));
const ACCT = '111122223333';
const HAIKU = 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0';
const SONNET = 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20240620-v1:0';
const PROFILE = `arn:aws:bedrock:us-east-1:${ACCT}:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0`;
const APP_ROLE = `arn:aws:iam::${ACCT}:role/App`;
const APP_SESSION = `arn:aws:sts::${ACCT}:assumed-role/App/i-0123456789abcdef0`;
const OTHER_ROLE = `arn:aws:iam::${ACCT}:role/Other`;
const BUCKET = 'arn:aws:s3:::invocation-logs-111122223333';
const KEY = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

const doc = (...Statement) => ({ Version: '2012-10-17', Statement });

/** Evaluate a single case and return its result object. */
async function one(c) {
  const { results } = await evaluateCases({ cases: [{ name: 't', ...c }] });
  assert.equal(results.length, 1);
  return results[0];
}

/** Request helper: bedrock:InvokeModel on `resource` by `principal`, with context. */
const invoke = (principal, resource, ctx = {}) => ({
  principal,
  action: 'bedrock:InvokeModel',
  resource: { resource, accountId: ACCT },
  contextVariables: ctx
});

// Identity policy: InvokeModel on Haiku only, and only through vpce-111.
const appPolicy = {
  name: 'AppPolicy',
  policy: doc({
    Sid: 'InvokeHaikuViaVpce',
    Effect: 'Allow',
    Action: 'bedrock:InvokeModel',
    Resource: HAIKU,
    Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-111' } }
  })
};

describe('(a) identity policy with aws:SourceVpce condition', () => {
  test('allowed through vpce-111', async () => {
    const r = await one({ request: invoke(APP_ROLE, HAIKU, { 'aws:SourceVpce': 'vpce-111' }), identityPolicies: [appPolicy] });
    assert.equal(r.decision, 'Allowed');
    assert.match(r.explain, /AppPolicy' statement "InvokeHaikuViaVpce"/);
  });
  test('denied through vpce-222', async () => {
    const r = await one({ request: invoke(APP_ROLE, HAIKU, { 'aws:SourceVpce': 'vpce-222' }), identityPolicies: [appPolicy] });
    assert.equal(r.decision, 'ImplicitlyDenied');
    assert.match(r.explain, /no matching Allow in identity policy/);
  });
  test('denied without aws:SourceVpce (public endpoint)', async () => {
    const r = await one({ request: invoke(APP_ROLE, HAIKU), identityPolicies: [appPolicy] });
    assert.equal(r.decision, 'ImplicitlyDenied');
  });
});

describe('(b) VPC endpoint policy', () => {
  const endpoint = (...statements) => [{ endpointId: 'vpce-111', name: 'BedrockRuntimeEndpoint', policy: doc(...statements) }];
  const onlyAppHaiku = {
    Sid: 'OnlyAppHaiku',
    Effect: 'Allow',
    Principal: { AWS: APP_ROLE },
    Action: 'bedrock:InvokeModel',
    Resource: [HAIKU, PROFILE]
  };
  const ctx = { 'aws:SourceVpce': 'vpce-111' };
  const bedrockAll = { name: 'BedrockAll', policy: doc({ Effect: 'Allow', Action: 'bedrock:*', Resource: '*' }) };

  test('the role named in the endpoint policy is allowed', async () => {
    const r = await one({ request: invoke(APP_ROLE, HAIKU, ctx), identityPolicies: [appPolicy], vpcEndpointPolicies: endpoint(onlyAppHaiku) });
    assert.equal(r.decision, 'Allowed');
    assert.match(r.explain, /VPC endpoint policy 'BedrockRuntimeEndpoint' statement "OnlyAppHaiku"/);
  });
  test('an assumed-role session of that role matches a role-ARN Principal', async () => {
    const r = await one({ request: invoke(APP_SESSION, HAIKU, ctx), identityPolicies: [appPolicy], vpcEndpointPolicies: endpoint(onlyAppHaiku) });
    assert.equal(r.decision, 'Allowed');
  });
  test('another principal with bedrock:* identity policy is denied by the endpoint', async () => {
    const r = await one({ request: invoke(OTHER_ROLE, HAIKU, ctx), identityPolicies: [bedrockAll], vpcEndpointPolicies: endpoint(onlyAppHaiku) });
    assert.equal(r.decision, 'ImplicitlyDenied');
    assert.deepEqual(r.blockedBy, ['vpce']);
  });
  test('endpoint policy with Effect Deny -> explicitly denied', async () => {
    const deny = { Sid: 'DenyAll', Effect: 'Deny', Principal: '*', Action: 'bedrock:*', Resource: '*' };
    const r = await one({ request: invoke(APP_ROLE, HAIKU, ctx), identityPolicies: [appPolicy], vpcEndpointPolicies: endpoint(onlyAppHaiku, deny) });
    assert.equal(r.decision, 'ExplicitlyDenied');
    assert.match(r.explain, /Explicit Deny in VPC endpoint policy 'BedrockRuntimeEndpoint' statement "DenyAll"/);
  });
  test('model not listed in the endpoint policy -> denied', async () => {
    const anyModelViaVpce = {
      name: 'AnyModelViaVpce',
      policy: doc({ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: 'arn:aws:bedrock:us-east-1::foundation-model/*', Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-111' } } })
    };
    const r = await one({ request: invoke(APP_ROLE, SONNET, ctx), identityPolicies: [anyModelViaVpce], vpcEndpointPolicies: endpoint(onlyAppHaiku) });
    assert.equal(r.decision, 'ImplicitlyDenied');
  });
  test('inference profile ARN listed in the endpoint policy -> allowed', async () => {
    const profilePolicy = { name: 'Profile', policy: doc({ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: PROFILE }) };
    const r = await one({ request: invoke(APP_ROLE, PROFILE, ctx), identityPolicies: [profilePolicy], vpcEndpointPolicies: endpoint(onlyAppHaiku) });
    assert.equal(r.decision, 'Allowed');
  });
  test('endpoint policy keyed by endpointId does not apply to requests via another endpoint', async () => {
    const r = await one({ request: invoke(OTHER_ROLE, HAIKU, { 'aws:SourceVpce': 'vpce-222' }), identityPolicies: [bedrockAll], vpcEndpointPolicies: endpoint(onlyAppHaiku) });
    assert.equal(r.decision, 'Allowed');
  });
  test('account principal in an endpoint policy covers every principal of the account', async () => {
    const acct = { Effect: 'Allow', Principal: { AWS: ACCT }, Action: 'bedrock:InvokeModel', Resource: '*' };
    const r = await one({ request: invoke(OTHER_ROLE, HAIKU, ctx), identityPolicies: [bedrockAll], vpcEndpointPolicies: endpoint(acct) });
    assert.equal(r.decision, 'Allowed');
  });
});

describe('(c) service principal writing to S3 under a bucket policy', () => {
  const bucketPolicy = doc({
    Sid: 'AllowBedrockLogging',
    Effect: 'Allow',
    Principal: { Service: 'bedrock.amazonaws.com' },
    Action: 's3:PutObject',
    Resource: `${BUCKET}/*`,
    Condition: {
      StringEquals: { 'aws:SourceAccount': ACCT },
      ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:us-east-1:${ACCT}:*` }
    }
  });
  const put = (account) => ({
    principal: 'bedrock.amazonaws.com',
    action: 's3:PutObject',
    resource: { resource: `${BUCKET}/AWSLogs/${ACCT}/BedrockModelInvocationLogs/x.json.gz`, accountId: ACCT },
    contextVariables: { 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:bedrock:us-east-1:${account}:*` }
  });
  test('allowed with matching aws:SourceAccount / aws:SourceArn', async () => {
    const r = await one({ request: put(ACCT), resourcePolicy: bucketPolicy });
    assert.equal(r.decision, 'Allowed');
    assert.match(r.explain, /resource policy statement "AllowBedrockLogging"/);
  });
  test('denied for another source account (confused deputy)', async () => {
    const r = await one({ request: put('444455556666'), resourcePolicy: bucketPolicy });
    assert.equal(r.decision, 'ImplicitlyDenied');
  });
  test('identity policies never grant a service principal anything', async () => {
    const r = await one({ request: put(ACCT), identityPolicies: [doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })] });
    assert.equal(r.decision, 'ImplicitlyDenied');
    assert.match(r.explain, /service principal/);
  });
});

describe('(d) S3 object in an SSE-KMS bucket: evaluate the S3 and the KMS side separately', () => {
  const reader = `arn:aws:iam::${ACCT}:role/LogReader`;
  const s3Read = { name: 'S3Read', policy: doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/*` }) };
  // Default key policy: delegates to the account root so that IAM policies can grant use.
  const keyPolicy = doc({ Sid: 'EnableIAMUserPermissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'kms:*', Resource: '*' });
  const decrypt = (ctx = {}) => ({ principal: reader, action: 'kms:Decrypt', resource: { resource: KEY, accountId: ACCT }, contextVariables: ctx });
  const getObject = { principal: reader, action: 's3:GetObject', resource: { resource: `${BUCKET}/a.json`, accountId: ACCT }, contextVariables: {} };

  test('s3:GetObject alone is allowed by the identity policy', async () => {
    assert.equal((await one({ request: getObject, identityPolicies: [s3Read] })).decision, 'Allowed');
  });
  test('kms:Decrypt on the key without an identity grant -> denied (so the read fails)', async () => {
    const r = await one({ request: decrypt(), identityPolicies: [s3Read], resourcePolicy: keyPolicy });
    assert.equal(r.decision, 'ImplicitlyDenied');
  });
  test('kms:Decrypt with an identity grant and a root-delegating key policy -> allowed', async () => {
    const kmsUse = { name: 'KmsUse', policy: doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY, Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } }) };
    const r = await one({ request: decrypt({ 'kms:ViaService': 's3.us-east-1.amazonaws.com' }), identityPolicies: [s3Read, kmsUse], resourcePolicy: keyPolicy });
    assert.equal(r.decision, 'Allowed');
  });
  test('same account but key policy without root delegation -> identity grant is not enough', async () => {
    const kmsUse = { name: 'KmsUse', policy: doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY }) };
    const adminOnly = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:role/KeyAdmin` }, Action: 'kms:*', Resource: '*' });
    const r = await one({ request: decrypt(), identityPolicies: [kmsUse], resourcePolicy: adminOnly });
    assert.equal(r.decision, 'ImplicitlyDenied');
  });
  test('QUIRK: kms:EncryptionContext:<key> context values are dropped by the library', async () => {
    const kmsCtx = { name: 'KmsCtx', policy: doc({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY, Condition: { StringEquals: { 'kms:EncryptionContext:aws:s3:arn': BUCKET } } }) };
    const r = await one({ request: decrypt({ 'kms:EncryptionContext:aws:s3:arn': BUCKET }), identityPolicies: [kmsCtx], resourcePolicy: keyPolicy });
    // In AWS this would be Allowed; iam-simulate 0.1.173 drops the key, so the condition fails.
    assert.equal(r.decision, 'ImplicitlyDenied');
    assert.deepEqual(r.ignoredContextKeys, ['kms:EncryptionContext:aws:s3:arn']);
    assert.match(r.warnings[0], /dropped by iam-simulate/);
  });
});

describe('library behaviours the Go side relies on', () => {
  test('wildcard region/account in policy ARNs match', async () => {
    const p = doc({ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: ['arn:aws:bedrock:*::foundation-model/anthropic.*', 'arn:aws:bedrock:*:*:inference-profile/us.anthropic.*'] });
    assert.equal((await one({ request: invoke(APP_ROLE, HAIKU), identityPolicies: [p] })).decision, 'Allowed');
    assert.equal((await one({ request: invoke(APP_ROLE, PROFILE), identityPolicies: [p] })).decision, 'Allowed');
  });
  test('ForAnyValue:StringEquals on a single-valued key works like StringEquals', async () => {
    const p = doc({ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: HAIKU, Condition: { 'ForAnyValue:StringEquals': { 'aws:SourceVpce': ['vpce-111', 'vpce-333'] } } });
    assert.equal((await one({ request: invoke(APP_ROLE, HAIKU, { 'aws:SourceVpce': 'vpce-111' }), identityPolicies: [p] })).decision, 'Allowed');
    assert.equal((await one({ request: invoke(APP_ROLE, HAIKU, { 'aws:SourceVpce': 'vpce-222' }), identityPolicies: [p] })).decision, 'ImplicitlyDenied');
    assert.equal((await one({ request: invoke(APP_ROLE, HAIKU), identityPolicies: [p] })).decision, 'ImplicitlyDenied');
  });
  test('foundation model: resource accountId must be the caller account (default), "aws" makes it cross-account', async () => {
    const p = doc({ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: HAIKU });
    const req = { principal: APP_ROLE, action: 'bedrock:InvokeModel', resource: { resource: HAIKU }, contextVariables: {} };
    assert.equal((await one({ request: req, identityPolicies: [p] })).decision, 'Allowed');
    const cross = await one({ request: { ...req, resource: { resource: HAIKU, accountId: 'aws' } }, identityPolicies: [p] });
    assert.equal(cross.decision, 'ImplicitlyDenied');
    assert.match(cross.explain, /cross-account/);
  });
  test('aws:PrincipalArn is filled from the principal (role ARN for a session)', async () => {
    const scp = doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'bedrock:*', Resource: '*', Condition: { ArnNotLike: { 'aws:PrincipalArn': APP_ROLE } } });
    const p = doc({ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: HAIKU });
    const scps = [{ orgIdentifier: 'r-root', policies: [{ name: 'OnlyAppUsesBedrock', policy: scp }] }];
    assert.equal((await one({ request: invoke(APP_SESSION, HAIKU), identityPolicies: [p], serviceControlPolicies: scps })).decision, 'Allowed');
    const other = await one({ request: invoke(OTHER_ROLE, HAIKU), identityPolicies: [p], serviceControlPolicies: scps });
    assert.equal(other.decision, 'ExplicitlyDenied');
    assert.match(other.explain, /Explicit Deny in SCP 'OnlyAppUsesBedrock' statement #2/);
  });
  test('role trust policy: service may assume, same-account role needs the trust policy too', async () => {
    const target = `arn:aws:iam::${ACCT}:role/BedrockServiceRole`;
    const trust = doc({ Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': ACCT } } });
    const assume = (principal) => ({ principal, action: 'sts:AssumeRole', resource: { resource: target, accountId: ACCT }, contextVariables: { 'aws:SourceAccount': ACCT } });
    assert.equal((await one({ request: assume('bedrock.amazonaws.com'), resourcePolicy: trust })).decision, 'Allowed');
    const idp = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: target });
    assert.equal((await one({ request: assume(APP_ROLE), identityPolicies: [idp], resourcePolicy: trust })).decision, 'ImplicitlyDenied');
  });
});

describe('(e) service control policies: a perimeter on aws:SourceVpce', () => {
  // The shape of the organisation stack's inference policy: deny unless through a listed endpoint,
  // except AWS services acting for the caller and a named role; FullAWSAccess beside it.
  const perimeter = (vpce) =>
    doc(
      { Effect: 'Allow', Action: '*', Resource: '*' },
      {
        Sid: 'DenyInferenceOutsideTheEndpoints',
        Effect: 'Deny',
        Action: ['bedrock:InvokeModel', 'bedrock-mantle:CreateInference'],
        Resource: '*',
        Condition: {
          ...(vpce ? { StringNotEqualsIfExists: { 'aws:SourceVpce': [vpce] } } : { Null: { 'aws:SourceVpce': 'true' } }),
          BoolIfExists: { 'aws:PrincipalIsAWSService': 'false', 'aws:ViaAWSService': 'false' },
          ArnNotLike: { 'aws:PrincipalArn': [OTHER_ROLE] }
        }
      }
    );
  const scps = (vpce) => [{ orgIdentifier: 'ou-abcd-11111111', policies: [{ name: 'Perimeter', policy: perimeter(vpce) }] }];
  const bedrockAll = doc({ Effect: 'Allow', Action: ['bedrock:*', 'bedrock-mantle:*'], Resource: '*' });
  const decide = async (ctx, vpce = 'vpce-111', principal = APP_SESSION) =>
    (await one({ request: invoke(principal, HAIKU, ctx), identityPolicies: [bedrockAll], serviceControlPolicies: scps(vpce) })).decision;

  test('without aws:SourceVpce the IfExists operator matches, so the Deny applies', async () => {
    assert.equal(await decide({}), 'ExplicitlyDenied');
  });
  test('through the listed endpoint allowed, through another denied', async () => {
    assert.equal(await decide({ 'aws:SourceVpce': 'vpce-111' }), 'Allowed');
    assert.equal(await decide({ 'aws:SourceVpce': 'vpce-222' }), 'ExplicitlyDenied');
  });
  test('the Null form admits any endpoint, and still denies calls outside every endpoint', async () => {
    assert.equal(await decide({ 'aws:SourceVpce': 'vpce-222' }, ''), 'Allowed');
    assert.equal(await decide({}, ''), 'ExplicitlyDenied');
  });
  test('aws:ViaAWSService and the excepted role pass', async () => {
    assert.equal(await decide({ 'aws:ViaAWSService': 'true' }), 'Allowed');
    assert.equal(await decide({}, 'vpce-111', OTHER_ROLE), 'Allowed');
  });
  test('bedrock-mantle inference is held like InvokeModel', async () => {
    const project = `arn:aws:bedrock-mantle:us-east-1:${ACCT}:project/default`;
    const mantle = (ctx) => ({ principal: APP_SESSION, action: 'bedrock-mantle:CreateInference', resource: { resource: project, accountId: ACCT }, contextVariables: ctx });
    const r = await one({ request: mantle({}), identityPolicies: [bedrockAll], serviceControlPolicies: scps('vpce-111') });
    assert.equal(r.decision, 'ExplicitlyDenied');
    assert.match(r.explain, /Explicit Deny in SCP 'Perimeter' statement "DenyInferenceOutsideTheEndpoints"/);
    assert.equal((await one({ request: mantle({ 'aws:SourceVpce': 'vpce-111' }), identityPolicies: [bedrockAll], serviceControlPolicies: scps('vpce-111') })).decision, 'Allowed');
  });
});

describe('CLI', () => {
  const run = (stdin) => spawnSync(process.execPath, [CLI], { input: stdin, encoding: 'utf8' });

  test('reads cases on stdin and writes results on stdout', () => {
    const input = { cases: [{ name: 'viaVpce', request: invoke(APP_ROLE, HAIKU, { 'aws:SourceVpce': 'vpce-111' }), identityPolicies: [appPolicy.policy] }] };
    const p = run(JSON.stringify(input));
    assert.equal(p.status, 0, p.stderr);
    const out = JSON.parse(p.stdout);
    assert.deepEqual(out.results.map((r) => [r.name, r.decision]), [['viaVpce', 'Allowed']]);
    assert.equal(typeof out.results[0].explain, 'string');
  });
  test('a policy the library rejects (unresolved Fn::GetAtt) -> exit 2, stderr names the case', () => {
    const bad = doc({ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: { 'Fn::GetAtt': ['Profile', 'Arn'] } });
    const input = { cases: [{ name: 'unresolved-intrinsic', request: invoke(APP_ROLE, HAIKU), identityPolicies: [bad] }] };
    const p = run(JSON.stringify(input));
    assert.equal(p.status, 2);
    assert.equal(p.stdout, '');
    assert.match(p.stderr, /case "unresolved-intrinsic".*Statement\[0\]\.Resource Must be a string or array of strings/);
  });
  test('unknown action and malformed JSON -> exit 2', () => {
    const p1 = run(JSON.stringify({ cases: [{ name: 'typo', request: invoke(APP_ROLE, HAIKU), identityPolicies: [] }].map((c) => ({ ...c, request: { ...c.request, action: 'bedrock:InvokeModle' } })) }));
    assert.equal(p1.status, 2);
    assert.match(p1.stderr, /case "typo".*invalid\.action/);
    const p2 = run('{not json');
    assert.equal(p2.status, 2);
    assert.match(p2.stderr, /not valid JSON/);
  });
});
