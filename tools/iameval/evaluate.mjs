#!/usr/bin/env node
// tools/iameval/evaluate.mjs
//
// A small batch CLI over @cloud-copilot/iam-simulate (pinned 0.1.173). It evaluates IAM
// authorization "cases" (one request + the policies that apply to it) and prints one decision
// per case. The Go side builds the input from synthesized CloudFormation, after resolving
// every intrinsic (Fn::GetAtt, Ref, Fn::Join, Fn::Sub ...) to plain strings: the library only
// understands literal IAM policy JSON and rejects objects where strings are expected.
//
// Usage:   node tools/iameval/evaluate.mjs < cases.json > results.json
// Exit:    0 = every case was evaluated (whatever the decisions);
//          2 = bad input (unparsable JSON, missing fields, a policy or action the library
//              rejects); every problem is printed on stderr prefixed with the case name and
//              nothing is written on stdout.
//
// ---------------------------------------------------------------------------------------------
// INPUT (stdin)
// {
//   "cases": [{
//     "name": "role-invoke-via-vpce",                        // required, used in messages
//     "request": {
//       "principal": "arn:aws:iam::111122223333:role/App",   // role / user / assumed-role ARN,
//                                                            // a service principal such as
//                                                            // "bedrock.amazonaws.com", or
//                                                            // {"type":"Anonymous"}
//       "action": "bedrock:InvokeModel",                     // exactly one "service:Action"
//       "resource": {
//         "resource": "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
//         "accountId": "111122223333"                        // account that OWNS the resource.
//             // Optional: defaults to the ARN's account field, or, when that is empty
//             // (foundation models, S3 buckets), to the principal's account. It decides
//             // same-account vs cross-account evaluation, so set it explicitly for S3 buckets.
//       },
//       "contextVariables": {                                // optional; string or string[]
//         "aws:SourceVpce": "vpce-111",                      // (numbers/booleans are stringified)
//         "aws:SecureTransport": "true"
//       }
//     },
//     // Every policy list accepts either bare policy documents or {"name": "...", "policy": {...}}.
//     // Names are only used in explanations (default: "identity[0]", "boundary[0]", ...).
//     "identityPolicies": [ {"Version":"2012-10-17","Statement":[...]} ],       // optional
//     "permissionBoundaryPolicies": [ ... ],                                   // optional
//     "sessionPolicy": { ... } | null,                                          // optional
//     "resourcePolicy": { ... } | null,     // bucket policy, KMS key policy, role trust policy
//     "serviceControlPolicies":  [{"orgIdentifier":"r-root","policies":[ ... ]}],  // optional
//     "resourceControlPolicies": [{"orgIdentifier":"r-root","policies":[ ... ]}],  // optional
//     "vpcEndpointPolicies": [{
//       "endpointId": "vpce-111",   // optional: the policy applies only when the request's
//                                   // aws:SourceVpce equals this id; omit = always applies
//       "name": "BedrockRuntimeEndpoint",                   // optional
//       "policy": { ... }                                   // endpoint policy document
//     }],
//     "additionalSettings": {"s3": {"blockPublicAccess": true}},   // optional, passed through
//     "autoContext": true           // optional (default true): fill aws:PrincipalArn,
//                                   // aws:PrincipalAccount, aws:PrincipalIsAWSService and
//                                   // aws:PrincipalServiceName from the principal unless given
//   }]
// }
//
// OUTPUT (stdout)
// {"results": [{
//    "name": "role-invoke-via-vpce",
//    "decision": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied",
//    "explain": "Allowed by identity policy 'AppPolicy' statement \"InvokeHaiku\"; ...",
//    "blockedBy": ["vpce"],           // only when core policies allowed it but a guardrail
//                                     // (scp|rcp|vpce|pb|resource|identity|s3-bpa) blocked it
//    "ignoredContextKeys": ["..."],   // only when non-empty: keys the library DROPPED because
//                                     // they are not valid for this action/resource type
//    "warnings": ["..."]              // only when non-empty
// }]}
//
// HOW THE PIECES ARE EVALUATED (library behaviour + what this wrapper adds)
// * runSimulation() does all the IAM logic: identity/resource/SCP/RCP/boundary/session policy,
//   same- vs cross-account rules, service principals (allowed only via a resource policy
//   statement naming the service), KMS key policies (same account still needs the key policy
//   to allow the principal, or to delegate to the account root, before IAM policies count),
//   role trust policies for sts:AssumeRole (a trust policy always has to allow the caller).
// * VPC endpoint policies: the library applies every policy in `vpcEndpointPolicies` to every
//   request (it does not look at aws:SourceVpce), IGNORES the Principal element of endpoint
//   policy statements, and its validator rejects any Principal other than "*". Real endpoint
//   policies name roles, so this wrapper evaluates each applicable endpoint policy itself: a
//   second runSimulation() call with the endpoint policy as the resource policy and no
//   identity policies, reading only the resource-policy analysis. That gives AWS principal
//   semantics (role ARN matches its assumed-role sessions, "111122223333"/":root" matches any
//   principal of that account, "*" matches everyone). The endpoint result then lowers the
//   main decision: Allowed -> ImplicitlyDenied -> ExplicitlyDenied, like any guardrail.
// ---------------------------------------------------------------------------------------------

import { pathToFileURL } from 'node:url';
import { getDenialReasons, getGrantReasons, runSimulation } from '@cloud-copilot/iam-simulate';

/** Error raised for bad input; `caseName` lets the CLI name the offending case. */
class InputError extends Error {
  constructor(caseName, message) {
    super(`case "${caseName}": ${message}`);
    this.name = 'InputError';
  }
}

// ----- small helpers ------------------------------------------------------------------------

/** Accept a bare policy document or {name, policy}; return {name, policy}. */
function namedPolicy(entry, defaultName) {
  if (entry && typeof entry === 'object' && 'policy' in entry && !('Statement' in entry)) {
    return { name: entry.name || defaultName, policy: entry.policy };
  }
  return { name: defaultName, policy: entry };
}

/** Account id of an ARN principal ("arn:aws:iam::111122223333:role/x" -> "111122223333"). */
function arnAccount(arn) {
  const parts = typeof arn === 'string' ? arn.split(':') : [];
  return parts.length >= 6 && parts[0] === 'arn' ? parts[4] : '';
}

/** The library treats any non-ARN string ending in amazonaws.com as a service principal. */
function isServicePrincipal(p) {
  return typeof p === 'string' && !p.startsWith('arn:') && p.endsWith('amazonaws.com');
}

/** Case-insensitive lookup of a context key (IAM condition keys are case-insensitive). */
function contextValue(ctx, key) {
  const k = Object.keys(ctx).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : ctx[k];
}

/** Context values must be string | string[]; stringify numbers/booleans from the Go side. */
function normalizeContext(ctx, caseName) {
  const out = {};
  for (const [k, v] of Object.entries(ctx ?? {})) {
    const conv = (x) => {
      if (['string', 'number', 'boolean'].includes(typeof x)) return String(x);
      throw new InputError(caseName, `context key ${k}: values must be strings, numbers or booleans`);
    };
    out[k] = Array.isArray(v) ? v.map(conv) : conv(v);
  }
  return out;
}

/**
 * Add the principal-derived global keys AWS always sets but the library does not populate
 * (checked in 0.1.173: aws:PrincipalArn is simply absent unless passed). Explicit values win.
 */
function addPrincipalContext(ctx, principal) {
  const set = (k, v) => {
    if (v !== undefined && contextValue(ctx, k) === undefined) ctx[k] = v;
  };
  if (typeof principal !== 'string') return ctx; // anonymous: nothing to add
  if (isServicePrincipal(principal)) {
    set('aws:PrincipalIsAWSService', 'true');
    set('aws:PrincipalServiceName', principal);
    return ctx;
  }
  let principalArn = principal;
  // arn:aws:sts::111122223333:assumed-role/RoleName/session -> arn:aws:iam::111122223333:role/RoleName
  // (the role path is not recoverable from a session ARN; pass aws:PrincipalArn if it matters)
  const m = principal.match(/^arn:([^:]+):sts::(\d{12}):assumed-role\/(.+)\/[^/]+$/);
  if (m) principalArn = `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`;
  set('aws:PrincipalArn', principalArn);
  set('aws:PrincipalAccount', arnAccount(principal) || undefined);
  set('aws:PrincipalIsAWSService', 'false');
  return ctx;
}

/** Human label for a statement: policy name + Sid (or 1-based index when there is no Sid). */
function stmtLabel(kind, policyName, sid, index) {
  const name = policyName ? ` '${policyName}'` : '';
  return `${kind}${name} statement ${sid ? `"${sid}"` : `#${index}`}`;
}

const KIND = {
  identity: 'identity policy',
  resource: 'resource policy',
  scp: 'SCP',
  rcp: 'RCP',
  pb: 'permission boundary',
  vpce: 'VPC endpoint policy',
  session: 'session policy',
  's3-bpa': 'S3 Block Public Access'
};

/** Turn library validation errors ({identityPolicyErrors: {name: [{path,message}]}, ...}) into text. */
function formatErrors(errors) {
  const parts = [];
  for (const [key, val] of Object.entries(errors)) {
    if (key === 'message') continue;
    if (Array.isArray(val)) {
      for (const e of val) parts.push(`${key}: ${e.path ?? ''} ${e.message ?? e}`.trim());
    } else if (val && typeof val === 'object') {
      for (const [policy, errs] of Object.entries(val)) {
        for (const e of errs) parts.push(`${key}[${policy}]: ${e.path} ${e.message}`);
      }
    }
  }
  return `${errors.message}${parts.length ? ` (${parts.join('; ')})` : ''}`;
}

/** Run one simulation; throw InputError on library validation errors or wildcard fan-out. */
async function simulate(caseName, sim, what) {
  const res = await runSimulation(sim, { simulationMode: 'Strict' });
  if (res.resultType === 'error') {
    throw new InputError(caseName, `${what} rejected by iam-simulate: ${formatErrors(res.errors)}`);
  }
  if (res.resultType === 'wildcard') {
    // A '*' in the resource makes the library run one simulation per matching policy pattern;
    // that is a different question ("is there any resource...") than this tool answers.
    throw new InputError(caseName, `resource "${sim.request.resource.resource}" contains a wildcard; use a concrete ARN`);
  }
  return res.result; // { analysis, ignoredContextKeys, resourceType }
}

// ----- VPC endpoint policies ----------------------------------------------------------------

/**
 * Evaluate one endpoint policy with real principal matching (see header). Returns
 * {result: 'Allowed'|'ImplicitlyDenied'|'ExplicitlyDenied', explain}.
 */
async function evaluateEndpointPolicy(caseName, baseSim, ep) {
  const statements = [ep.policy?.Statement].flat().filter(Boolean);
  statements.forEach((s, i) => {
    if (s.Principal === undefined) {
      throw new InputError(caseName, `endpoint policy '${ep.name}' statement #${i + 1} has no Principal (required in endpoint policies)`);
    }
    if (s.NotPrincipal !== undefined) {
      throw new InputError(caseName, `endpoint policy '${ep.name}' statement #${i + 1}: NotPrincipal is not supported in endpoint policies`);
    }
  });
  const { analysis } = await simulate(
    caseName,
    {
      ...baseSim,
      identityPolicies: [],
      sessionPolicy: undefined,
      permissionBoundaryPolicies: undefined,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      vpcEndpointPolicies: undefined,
      resourcePolicy: ep.policy
    },
    `endpoint policy '${ep.name}'`
  );
  const ra = analysis.resourceAnalysis;
  const label = (s) => stmtLabel(KIND.vpce, ep.name, s.statement.sid(), s.statement.index());
  // An account principal ("111122223333" or ":root") in an endpoint policy covers every
  // principal of that account, so the account-level results count as full matches here.
  if (ra.result === 'ExplicitlyDenied' || ra.result === 'DeniedForAccount') {
    return { result: 'ExplicitlyDenied', explain: `Explicit Deny in ${ra.denyStatements.map(label).join(', ')}` };
  }
  if (ra.result === 'Allowed' || ra.result === 'AllowedForAccount') {
    return { result: 'Allowed', explain: ra.allowStatements.map(label).join(', ') };
  }
  return {
    result: 'ImplicitlyDenied',
    explain: `${KIND.vpce} '${ep.name}' has no Allow statement matching this principal, action, resource and context`
  };
}

// ----- explanations -------------------------------------------------------------------------

/** Build the short "why" text from the library's analysis (+ endpoint results). */
function explainDecision(decision, analysis, request, endpointResults) {
  const parts = [];
  const label = (r) => stmtLabel(KIND[r.policyType], r.policyIdentifier ?? r.orgIdentifier, r.statementId, r.statementIndex);
  if (decision === 'Allowed') {
    const grants = getGrantReasons(analysis).filter((g) => !['scp', 'rcp'].includes(g.policyType));
    const by = [...grants.map(label), ...endpointResults.map((e) => e.explain)];
    return `Allowed by ${by.join(', ') || 'core policies'}`;
  }
  // Explicit denies first (any explicit deny is decisive), then implicit reasons.
  const denials = analysis.result === 'Allowed' ? [] : getDenialReasons(analysis);
  for (const d of denials.filter((x) => x.denialType === 'Explicit')) parts.push(`Explicit Deny in ${label(d)}`);
  for (const e of endpointResults.filter((x) => x.result === 'ExplicitlyDenied')) parts.push(e.explain);
  const principalSide = ['identity', 'pb', 'session', 'scp'];
  const resourceOnly = typeof request.principal !== 'string' || isServicePrincipal(request.principal);
  if (parts.length === 0) {
    for (const d of denials.filter((x) => x.denialType === 'Implicit')) {
      // Service principals / anonymous callers have no identity side; only the resource side counts.
      if (resourceOnly && principalSide.includes(d.policyType)) continue;
      const where = d.identifier ? ` at ${d.identifier}` : '';
      parts.push(`no matching Allow in ${KIND[d.policyType]}${where}`);
    }
    for (const e of endpointResults.filter((x) => x.result === 'ImplicitlyDenied')) parts.push(e.explain);
  }
  if (parts.length === 0) {
    // getDenialReasons() returns nothing when the deny comes from the account/trust rules,
    // e.g. cross-account with no resource policy, or a KMS key policy without delegation.
    const principal = typeof request.principal === 'string' ? request.principal : 'anonymous';
    const idRes = analysis.identityAnalysis?.result;
    const resRes = analysis.resourceAnalysis?.result;
    if (isServicePrincipal(principal)) {
      parts.push(`service principal ${principal} needs an Allow in the resource policy (identity policies do not apply)`);
    } else if (!analysis.sameAccount) {
      parts.push(`cross-account (principal ${arnAccount(principal) || '?'} vs resource ${request.resource.accountId}): needs an identity-policy Allow (identity: ${idRes}) AND a resource-policy Allow (resource: ${resRes})`);
    } else {
      parts.push(`identity policy ${idRes} but the resource policy does not trust the principal or its account (resource: ${resRes}); KMS key policies and role trust policies must grant the principal or delegate to the account`);
    }
  }
  if (analysis.blockedBy?.length) parts.push(`(otherwise allowed; blocked by ${analysis.blockedBy.join(', ')})`);
  return parts.join('; ');
}

// ----- one case -----------------------------------------------------------------------------

async function evaluateCase(c, i) {
  const name = typeof c?.name === 'string' && c.name ? c.name : `#${i}`;
  const req = c?.request;
  if (!req || typeof req !== 'object') throw new InputError(name, 'missing "request" object');
  if (req.principal === undefined) throw new InputError(name, 'missing request.principal');
  if (typeof req.action !== 'string') throw new InputError(name, 'request.action must be a string like "bedrock:InvokeModel"');
  const resourceArn = typeof req.resource === 'string' ? req.resource : req.resource?.resource;
  if (typeof resourceArn !== 'string') throw new InputError(name, 'missing request.resource.resource (an ARN, or "*" for wildcard-only actions)');

  const warnings = [];
  let accountId = typeof req.resource === 'object' ? req.resource.accountId : undefined;
  if (accountId === undefined || accountId === null || accountId === '') {
    accountId = arnAccount(resourceArn) || arnAccount(req.principal);
    if (!accountId) throw new InputError(name, 'cannot infer request.resource.accountId; set it explicitly');
  }

  const ctx = normalizeContext(req.contextVariables, name);
  if (c.autoContext !== false) addPrincipalContext(ctx, req.principal);

  const list = (xs, prefix) => [xs ?? []].flat().map((p, j) => namedPolicy(p, `${prefix}[${j}]`));
  const orgPolicies = (xs, prefix) =>
    (xs ?? []).map((ou, j) => ({
      orgIdentifier: ou.orgIdentifier ?? `${prefix}[${j}]`,
      policies: list(ou.policies, `${ou.orgIdentifier ?? prefix}`)
    }));

  const baseSim = {
    request: { principal: req.principal, action: req.action, resource: { resource: resourceArn, accountId }, contextVariables: ctx },
    identityPolicies: list(c.identityPolicies, 'identity'),
    serviceControlPolicies: orgPolicies(c.serviceControlPolicies, 'scp'),
    resourceControlPolicies: orgPolicies(c.resourceControlPolicies, 'rcp'),
    ...(c.resourcePolicy ? { resourcePolicy: c.resourcePolicy } : {}),
    ...(c.sessionPolicy ? { sessionPolicy: c.sessionPolicy } : {}),
    ...(c.permissionBoundaryPolicies ? { permissionBoundaryPolicies: list(c.permissionBoundaryPolicies, 'boundary') } : {}),
    ...(c.additionalSettings ? { additionalSettings: c.additionalSettings } : {})
  };

  // 1) Main evaluation, without endpoint policies (handled below with principal matching).
  const main = await simulate(name, baseSim, 'request/policies');
  const analysis = main.analysis;

  // 2) Endpoint policies that apply to this request (keyed on aws:SourceVpce when endpointId is set).
  const sourceVpce = contextValue(ctx, 'aws:SourceVpce');
  const endpoints = (c.vpcEndpointPolicies ?? []).map((e, j) => ({
    endpointId: e.endpointId,
    name: e.name || e.endpointId || `vpce[${j}]`,
    policy: e.policy ?? e
  }));
  const applicable = endpoints.filter((e) => !e.endpointId || e.endpointId === sourceVpce);
  const endpointResults = [];
  for (const ep of applicable) endpointResults.push({ name: ep.name, ...(await evaluateEndpointPolicy(name, baseSim, ep)) });

  // 3) Combine: an endpoint can only lower the decision (Allowed -> Implicit -> Explicit).
  let decision = analysis.result;
  const blockedBy = new Set(analysis.blockedBy ?? []);
  for (const e of endpointResults) {
    if (e.result === 'Allowed') continue;
    if (analysis.result === 'Allowed') blockedBy.add('vpce');
    if (e.result === 'ExplicitlyDenied') decision = 'ExplicitlyDenied';
    else if (decision === 'Allowed') decision = 'ImplicitlyDenied';
  }
  const analysisForExplain = { ...analysis, result: decision, blockedBy: [...blockedBy] };

  // Library quirk: keys of the form "kms:EncryptionContext:<k>" are silently dropped by
  // runSimulation's context-key filter (it only understands "prefix/<var>" style variables).
  const ignored = main.ignoredContextKeys ?? [];
  for (const k of ignored) {
    if (/^kms:encryptioncontext:/i.test(k)) {
      warnings.push(`${k} was dropped by iam-simulate 0.1.173 (known limitation): conditions on it behave as if the key were absent`);
    } else {
      warnings.push(`${k} is not a context key of ${req.action} on this resource type and was ignored`);
    }
  }

  return {
    name,
    decision,
    explain: explainDecision(decision, analysisForExplain, baseSim.request, endpointResults),
    ...(blockedBy.size && decision !== 'Allowed' ? { blockedBy: [...blockedBy] } : {}),
    ...(ignored.length ? { ignoredContextKeys: ignored } : {}),
    ...(warnings.length ? { warnings } : {})
  };
}

/**
 * Evaluate all cases. Throws an AggregateError of InputErrors (one per bad case) if any case
 * cannot be evaluated. Exported so tests can call it without a child process.
 */
export async function evaluateCases(input) {
  if (!input || !Array.isArray(input.cases)) throw new AggregateError([new Error('input must be {"cases": [...]}')], 'bad input');
  const results = [];
  const errors = [];
  for (const [i, c] of input.cases.entries()) {
    try {
      results.push(await evaluateCase(c, i));
    } catch (e) {
      errors.push(e instanceof InputError ? e : new InputError(c?.name ?? `#${i}`, e?.message ?? String(e)));
    }
  }
  if (errors.length) throw new AggregateError(errors, `${errors.length} case(s) could not be evaluated`);
  return { results };
}

// ----- CLI ----------------------------------------------------------------------------------

async function main() {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  let input;
  try {
    input = JSON.parse(text);
  } catch (e) {
    process.stderr.write(`iameval: stdin is not valid JSON: ${e.message}\n`);
    process.exit(2);
  }
  try {
    const out = await evaluateCases(input);
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  } catch (e) {
    for (const err of e.errors ?? [e]) process.stderr.write(`iameval: ${err.message}\n`);
    process.exit(2);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
