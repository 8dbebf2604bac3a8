// Package executionpolicy writes the IAM policies accounts give CloudFormation when it deploys this
// project's stacks, for cdk bootstrap --cloudformation-execution-policies, in place of the default
// AdministratorAccess: the services of the stacks' resource types in their regions, IAM only for the
// roles the stacks create, and, in an environment's account, explicit denials of what the architecture
// promises never to have (a route out of the VPC, model calls by the deployment). Document is an
// environment account's; Pipeline the tooling account's, which deploys the pipeline stack.
package executionpolicy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/limits"
)

// namespaces maps the namespaces of the stacks' CloudFormation resource types to the IAM service
// prefixes CloudFormation calls for them.
var namespaces = map[string]string{
	"AWS::Bedrock":      "bedrock",
	"AWS::CloudWatch":   "cloudwatch",
	"AWS::CodeBuild":    "codebuild",
	"AWS::CodePipeline": "codepipeline",
	"AWS::EC2":          "ec2",
	"AWS::Events":       "events",
	"AWS::KMS":          "kms",
	"AWS::Lambda":       "lambda",
	"AWS::Logs":         "logs",
	"AWS::S3":           "s3",
	"AWS::SNS":          "sns",
	"AWS::SQS":          "sqs",
}

// The services each account's stacks use; a test keeps them covering every type the stacks
// synthesize.
var (
	environmentServices = []string{"bedrock", "cloudwatch", "ec2", "events", "kms", "lambda", "logs", "s3", "sns", "sqs"}
	pipelineServices    = []string{"codebuild", "codepipeline", "kms", "logs", "s3"}
)

// ServiceOf is the IAM service prefix CloudFormation needs for a resource type: AWS::IAM roles and
// their policies are the roles statement's ("iam"), custom resources are Lambda invocations and
// AWS::CDK::Metadata calls nothing (""). Other types are unknown: no policy here covers them.
func ServiceOf(resourceType string) (string, bool) {
	switch {
	case resourceType == "AWS::CDK::Metadata":
		return "", true
	case strings.HasPrefix(resourceType, "Custom::"):
		return "lambda", true
	case resourceType == "AWS::IAM::Role" || resourceType == "AWS::IAM::Policy":
		return "iam", true
	}
	namespace := resourceType[:max(strings.LastIndex(resourceType, "::"), 0)]
	prefix, ok := namespaces[namespace]
	return prefix, ok
}

// Covers says whether document lets CloudFormation deploy resources of the service prefix (ServiceOf).
func Covers(document map[string]any, prefix string) bool {
	if prefix == "" {
		return true
	}
	sid := map[bool]string{true: "StackRoles", false: "StackServicesInTheRegions"}[prefix == "iam"]
	for _, s := range document["Statement"].([]any) {
		if s := s.(map[string]any); s["Sid"] == sid {
			actions := s["Action"].([]string)
			return slices.ContainsFunc(actions, func(a string) bool { return strings.HasPrefix(a, prefix+":") })
		}
	}
	return false
}

// RoleActions are what CloudFormation does to the stacks' roles and their policies: no managed policy
// is attached (the stacks use none), no user, group or access key is made.
var RoleActions = []string{
	"iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateRoleDescription",
	"iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags",
	"iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies",
	"iam:ListAttachedRolePolicies", "iam:PassRole",
}

// RouteOut are the actions that would give the isolated VPC a way to or from the internet or another
// network (gateways, peering, VPNs, addresses, function URLs), or run a workload in it.
var RouteOut = []string{
	"ec2:CreateInternetGateway", "ec2:AttachInternetGateway", "ec2:CreateEgressOnlyInternetGateway",
	"ec2:CreateNatGateway", "ec2:AllocateAddress", "ec2:CreateCarrierGateway", "ec2:CreateVpcPeeringConnection",
	"ec2:AcceptVpcPeeringConnection", "ec2:CreateTransitGatewayVpcAttachment", "ec2:CreateVpnGateway",
	"ec2:AttachVpnGateway", "ec2:CreateVpnConnection", "ec2:CreateClientVpnEndpoint",
	"ec2:AssociateClientVpnTargetNetwork", "ec2:RunInstances", "lambda:CreateFunctionUrlConfig",
}

// Inference are the model calls a deployment never makes.
var Inference = []string{"bedrock:InvokeModel*", "bedrock:CallWithBearerToken", "bedrock-mantle:*"}

// PolicyName is the managed policy's name in each account.
func PolicyName(project string) string { return project + "-cfn-execution" }

// Document is the execution policy for env's account and region.
func Document(project string, env config.Environment) map[string]any {
	// The stack's own roles sit under its IAM path; access roles have the configured names.
	roles := []string{config.StackRoles(env.Partition(), env.Account, config.StackName(project, env.Name))}
	for _, r := range env.AccessRoles {
		roles = append(roles, fmt.Sprintf("arn:%s:iam::%s:role/%s", env.Partition(), env.Account, r.Name))
	}
	return document(env.Partition(), env.Account, []string{env.Region}, environmentServices, roles,
		map[string]any{"Sid": "NoRouteOutOfTheVpc", "Effect": "Deny", "Action": RouteOut, "Resource": "*"},
		// Every function of the stack runs in its VPC (Control Tower's CT.LAMBDA.PR.3 holds it to that).
		map[string]any{"Sid": "NoFunctionOutsideTheVpc", "Effect": "Deny", "Action": "lambda:CreateFunction", "Resource": "*",
			"Condition": map[string]any{"Null": map[string]any{"lambda:VpcIds": "true"}}},
		map[string]any{"Sid": "NoModelCalls", "Effect": "Deny", "Action": Inference, "Resource": "*"},
	)
}

// Pipeline is the execution policy for the tooling account, which deploys the pipeline stack in the
// pipeline's region and its artifact stacks in regions, the environments' other regions.
func Pipeline(project string, pl config.Pipeline, regions []string) map[string]any {
	partition := strings.Split(pl.ConnectionArn, ":")[1]
	all := []string{pl.Region}
	for _, r := range regions {
		if !slices.Contains(all, r) {
			all = append(all, r)
		}
	}
	// CodePipeline takes the connection only from a caller that may pass it (either service prefix,
	// as the connection's ARN has one or the other).
	pass := map[string]any{"Sid": "PassTheConnection", "Effect": "Allow",
		"Action": []string{"codeconnections:PassConnection", "codestar-connections:PassConnection"}, "Resource": pl.ConnectionArn}
	return document(partition, pl.Account, all, pipelineServices, []string{config.StackRoles(partition, pl.Account, config.PipelineStackName(project))}, pass)
}

// document is an execution policy: services in regions, IAM on roles (ARNs or ARN patterns), the
// bootstrap version parameter of account in each region, and the extra statements.
func document(partition, account string, regions, services, roleArns []string, extra ...map[string]any) map[string]any {
	stackServices := make([]string, len(services))
	for i, s := range services {
		stackServices[i] = s + ":*"
	}
	parameters := make([]string, len(regions))
	for i, r := range regions {
		parameters[i] = fmt.Sprintf("arn:%s:ssm:%s:%s:parameter/cdk-bootstrap/hnb659fds/version", partition, r, account)
	}
	statements := []any{
		map[string]any{
			"Sid": "StackServicesInTheRegions", "Effect": "Allow", "Action": stackServices, "Resource": "*",
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:RequestedRegion": regions}},
		},
		map[string]any{"Sid": "StackRoles", "Effect": "Allow", "Action": RoleActions, "Resource": roleArns},
		// Each stack's BootstrapVersion parameter, which CloudFormation resolves as this role.
		map[string]any{"Sid": "BootstrapVersion", "Effect": "Allow", "Action": "ssm:GetParameters", "Resource": parameters},
	}
	for _, e := range extra {
		statements = append(statements, e)
	}
	return map[string]any{"Version": "2012-10-17", "Statement": statements}
}

// CheckSize says whether the document, the policy of account (an environment or the tooling account),
// fits a managed policy, and what to do when it does not.
func CheckSize(account string, document map[string]any) error {
	raw, err := json.Marshal(document)
	if err != nil {
		return err
	}
	// Compact JSON has no white space, which IAM does not count.
	if limit := limits.ManagedPolicy; len(raw) > limit.Max {
		return fmt.Errorf("the execution policy of %s is %d %s, more than the %d of an %s: give its access roles a common name prefix and fewer entries, or split the role statement into a second policy (--cloudformation-execution-policies takes several)", account, len(raw), limit.Unit, limit.Max, limit.Name)
	}
	return nil
}
