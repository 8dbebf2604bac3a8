#!/usr/bin/env node
// tools/cfnvalidate/validate.mjs
//
// aws-cdk-lib's own CloudFormation validator (CloudFormationValidatePlugin, the rules that
// @aws-cdk/core:validateAgainstDefaultRules runs), in a Node process beside the app's jsii kernel.
// Building its rule engine takes about a second of one core; started first, it is ready by the time
// the app has synthesized, instead of adding that second to every synthesis. aws-cdk-lib is pinned in
// package.json to the version of the Go bindings, so the rules are the ones synthesis would run.
//
// Usage:   node --single-threaded tools/cfnvalidate/validate.mjs < stacks.json > report.json
//          (V8's background threads compete with the app for the machine's cores and, on two cores,
//          make the engine slower, not faster: 0.7 s single-threaded against 1.5 s.)
// Input:   [{"stackConstructPath": "s", "templatePath": "/abs/s.template.json",
//            "accountId": "111122223333", "region": "us-east-1"}]   (account and region optional)
// Output:  the plugin's report: {"success": bool, "violations": [{"ruleName", "description",
//          "severity", "fix", "violatingResources": [{"resourceLogicalId", "templatePath",
//          "locations"}]}]}
// Exit:    0 when every template was validated (whatever it found); 2 on bad input.
import { createRequire } from 'node:module';
import { text } from 'node:stream/consumers';

const { CloudFormationValidatePlugin } = createRequire(import.meta.url)('aws-cdk-lib');

/** validate runs the plugin over the given stacks' templates. */
export function validate(plugin, stackTemplates) {
  if (!Array.isArray(stackTemplates) || stackTemplates.some((s) => typeof s?.templatePath !== 'string')) {
    throw new Error('input must be an array of {stackConstructPath, templatePath, accountId, region}');
  }
  return plugin.validate({ stackTemplates });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const plugin = new CloudFormationValidatePlugin();
  // Builds the rule engine now, while the caller is still writing the templates.
  void plugin.ruleIds;
  try {
    const report = validate(plugin, JSON.parse(await text(process.stdin)));
    // Exits once written: aws-cdk-lib leaves the event loop busy for most of a second.
    process.stdout.write(JSON.stringify(report), () => process.exit(0));
  } catch (e) {
    console.error(`cfnvalidate: ${e.message}`);
    process.exit(2);
  }
}
