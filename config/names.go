package config

import (
	"fmt"
	"slices"
)

// StackName is the CloudFormation stack of an environment.
func StackName(project, environment string) string { return project + "-" + environment }

// InvocationLogGroupName is the log group the stack gives Bedrock's invocation logs. Tools that check a
// deployed account (preflight) recognise the stack's logging configuration by it.
func InvocationLogGroupName(stackName string) string {
	return "/" + stackName + "/bedrock-model-invocations"
}

// StackRoles is the ARN pattern of every role a stack creates without a name of its own: those roles
// sit under the IAM path /<stack name>/ (constructs/rolepath), as CloudFormation's generated names do
// not reliably begin with the stack's name.
func StackRoles(partition, account, stackName string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s/*", partition, account, stackName)
}

// InterfaceEndpointServices are the short service names (bedrock-runtime, logs, ...) of every interface
// endpoint the environment's VPC gets, sorted: the invoke path, what the stack itself needs, and the
// configured ones.
func (e Environment) InterfaceEndpointServices() []string {
	services := append([]string{"bedrock-runtime", "ec2"}, e.InterfaceEndpoints...)
	if e.InvocationLogging.Enabled {
		// The logging configuration's deploy-time handler calls the Bedrock control plane.
		services = append(services, "bedrock")
	}
	if e.needsEndpoints() {
		services = append(services, "bedrock", "sts")
	}
	slices.Sort(services)
	return slices.Compact(services)
}

// AlarmNames are the alarms the environment's stack makes (constructs/detection's names, each alarm
// named "<stack name>-<name>"), in its table order: the guardrail's with a guardrail, the invocation-log
// ones with invocation logging, and always those on the models, the test function's log and the alert
// topic's dead-letter queue. Commands that check a deployed stack read them here, without the CDK;
// test/ keeps them equal to what the stack synthesizes.
func (e Environment) AlarmNames() []string {
	var names []string
	if e.Guardrail.Enabled {
		names = append(names, "GuardrailInterventions")
	}
	if e.InvocationLogging.Enabled {
		names = append(names, "PromptAttacks", "SensitiveInformation")
	}
	return append(names, "InvocationClientErrors", "InvocationServerErrors", "InvocationThrottles", "FunctionAccessDenied", "UndeliveredAlerts")
}
