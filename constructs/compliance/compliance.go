// Package compliance runs the cdk-nag packs over a stack and records the findings of rule packs that a
// resource is accepted to fail, on that one resource and with the reason, so every exception is
// reviewable where the resource is made.
package compliance

import (
	"fmt"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Check runs the cdk-nag AWS Solutions, NIST 800-53 rev 5 and Serverless packs over the stack at
// synthesis. Findings are errors and warnings on the construct they concern; the few accepted ones are
// suppressed on that one resource, with the reason, where the resource is made (AcceptNag). The CSV
// reports are written only when asked for: cdk-nag appends them to disk a line per rule and resource,
// which costs a tenth of a second per synthesis.
func Check(stack awscdk.Stack, reports bool) {
	packsOnce[reports].Do(func() {
		props := &cdknag.NagPackProps{Reports: jsii.Bool(reports)}
		packs[reports] = []awscdk.IAspect{cdknag.NewAwsSolutionsChecks(props), cdknag.NewNIST80053R5Checks(props), cdknag.NewServerlessChecks(props)}
	})
	aspects := awscdk.Aspects_Of(stack)
	for _, p := range packs[reports] {
		aspects.Add(p, nil)
	}
}

// packs are built once and shared by every stack, as cdk-nag's own examples apply one instance to a
// whole app: a pack keeps no state per stack (its report logger keys its files by stack), and building
// the three anew cost about a tenth of a second of every stack's synthesis.
var (
	packs     = map[bool][]awscdk.IAspect{}
	packsOnce = map[bool]*sync.Once{false: {}, true: {}}
)

// Exception is one accepted cdk-nag finding.
type Exception struct {
	// Rule is the cdk-nag rule ID, e.g. AwsSolutions-IAM5.
	Rule string
	// Reason is what an auditor reads: why the finding is acceptable here.
	Reason string
	// AppliesTo narrows the exception to these finding details, e.g. "Resource::*". Default: all.
	AppliesTo []string
}

// AcceptNag suppresses cdk-nag findings on resource and its children.
func AcceptNag(resource constructs.IConstruct, exceptions ...Exception) {
	suppressions := make([]*cdknag.NagPackSuppression, len(exceptions))
	for i, e := range exceptions {
		if e.Rule == "" || len(e.Reason) < 20 {
			panic(fmt.Sprintf("compliance: exception %q on %s needs a rule and a reason an auditor can check", e.Rule, *resource.Node().Path()))
		}
		s := &cdknag.NagPackSuppression{Id: jsii.String(e.Rule), Reason: jsii.String(e.Reason)}
		if len(e.AppliesTo) > 0 {
			applies := make([]any, len(e.AppliesTo))
			for j, a := range e.AppliesTo {
				applies[j] = a
			}
			s.AppliesTo = &applies
		}
		suppressions[i] = s
	}
	cdknag.NagSuppressions_AddResourceSuppressions(resource, &suppressions, jsii.Bool(true))
}

// ArnFinding is how cdk-nag names the ARN of a resource of the same stack in its findings, e.g.
// "Resource::<BucketF12B4122.Arn>" followed by suffix: what an Exception's AppliesTo matches.
func ArnFinding(resource constructs.IConstruct, suffix string) string {
	id := awscdk.Stack_Of(resource).GetLogicalId(resource.Node().DefaultChild().(awscdk.CfnElement))
	return "Resource::<" + *id + ".Arn>" + suffix
}

// EnforcedGuardrails is the exception for bedrock:ApplyGuardrail on the organisation's enforced
// guardrails, patterns such as arn:aws:bedrock:<region>:<management account>:guardrail/*.
func EnforcedGuardrails(patterns []string) Exception {
	applies := make([]string, len(patterns))
	for i, p := range patterns {
		applies[i] = "Resource::" + p
	}
	return Exception{Rule: "AwsSolutions-IAM5", AppliesTo: applies,
		Reason: "The organisation's Amazon Bedrock policy applies a guardrail of the management account to every call, which the caller must be allowed to apply; its ID exists only once the organisation stack is deployed. ApplyGuardrail only evaluates text, on that account's guardrails in one region."}
}

// AcceptDeployTimeFunction records why functions that only CloudFormation invokes, a few times per
// deployment, go without the dead-letter queue, reserved concurrency and tracing that workloads get.
func AcceptDeployTimeFunction(functions ...constructs.IConstruct) {
	deployOnly := "CloudFormation invokes this function and waits for its answer; a failure fails and rolls back the deployment, so there is nothing for a dead-letter queue to keep."
	for _, fn := range functions {
		AcceptNag(fn,
			Exception{Rule: "NIST.800.53.R5-LambdaDLQ", Reason: deployOnly},
			Exception{Rule: "Serverless-LambdaDLQ", Reason: deployOnly},
			Exception{Rule: "NIST.800.53.R5-LambdaConcurrency", Reason: "Only CloudFormation invokes this function, a few times per deployment; reserving concurrency for it would take capacity from workloads."},
			Exception{Rule: "Serverless-LambdaTracing", Reason: "Deployment-time function in an isolated VPC without an X-Ray endpoint; its calls are in CloudTrail and its output in its encrypted log group."},
		)
	}
}

// guardKey is the template metadata the Control Tower test reads per resource.
const guardKey = "guard"

// AcceptControl records that resource is accepted to fail an AWS Control Tower proactive control
// (e.g. CT.S3.PR.10). It becomes template metadata: {"guard": {"SuppressedRules": [{"id", "reason"}]}}.
func AcceptControl(resource awscdk.CfnResource, control, reason string) {
	if len(reason) < 20 {
		panic(fmt.Sprintf("compliance: control %s on %s needs a reason an auditor can check", control, *resource.Node().Path()))
	}
	var rules []any
	if existing, ok := resource.GetMetadata(jsii.String(guardKey)).(map[string]any); ok {
		rules, _ = existing["SuppressedRules"].([]any)
	}
	rules = append(rules, map[string]any{"id": control, "reason": reason})
	resource.AddMetadata(jsii.String(guardKey), map[string]any{"SuppressedRules": rules})
}
