// Self-test for validate.mjs. Run with:  node_modules/.bin/node --test 'tools/**/*.test.mjs'
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { validate } from './validate.mjs';

const CLI = fileURLToPath(new URL('./validate.mjs', import.meta.url));
const { CloudFormationValidatePlugin } = createRequire(import.meta.url)('aws-cdk-lib');
const plugin = new CloudFormationValidatePlugin();

function stacks(vpcProperties) {
  const dir = mkdtempSync(join(tmpdir(), 'cfnvalidate-'));
  const path = join(dir, 's.template.json');
  writeFileSync(path, JSON.stringify({ Resources: { Vpc: { Type: 'AWS::EC2::VPC', Properties: vpcProperties } } }));
  return [{ stackConstructPath: 's', templatePath: path, accountId: '111122223333', region: 'us-east-1' }];
}

test('a valid template has no violations', () => {
  assert.deepEqual(validate(plugin, stacks({ CidrBlock: '10.0.0.0/16' })).violations, []);
});

test('an unknown property is a violation of the resource, by logical ID', () => {
  const { violations } = validate(plugin, stacks({ CidrBlock: '10.0.0.0/16', CidrBlockTypo: 'x' }));
  const unknown = violations.find((v) => v.description.includes('CidrBlockTypo'));
  assert.ok(unknown, JSON.stringify(violations));
  assert.equal(unknown.violatingResources[0].resourceLogicalId, 'Vpc');
});

test('input that is not a list of stacks is refused', () => {
  assert.throws(() => validate(plugin, { not: 'a list' }), /input must be an array/);
  assert.throws(() => validate(plugin, [{ stackConstructPath: 's' }]), /input must be an array/);
});

test('the command reads stacks on stdin and writes the report on stdout', () => {
  const r = spawnSync(process.execPath, [CLI], { input: JSON.stringify(stacks({ CidrBlock: '10.0.0.0/16' })), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).success, true);
  const bad = spawnSync(process.execPath, [CLI], { input: '{', encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^cfnvalidate: /);
});
