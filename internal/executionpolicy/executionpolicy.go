// Package executionpolicy writes the IAM policy an environment's account gives CloudFormation when it
// deploys the environment's stack, for cdk bootstrap --cloudformation-execution-policies, in place of
// the default AdministratorAccess: the services of the stack's resource types in the environment's
// region, IAM only for the roles the stack creates, and explicit denials of what the architecture
// promises never to have (a route out of the VPC, model calls by the deployment).
package executionpolicy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/privatebedrock/stack/config"
)

// services maps the namespaces of the environment stack's CloudFormation resource types to the IAM
// service prefixes CloudFormation calls for them. A test keeps it covering every type the stack
// synthesizes: a new type fails until it is added here.
var services = map[string]string{
	"AWS::Bedrock":    "bedrock",
	"AWS::CloudWatch": "cloudwatch",
	"AWS::EC2":        "ec2",
	"AWS::Events":     "events",
	"AWS::KMS":        "kms",
	"AWS::Lambda":     "lambda",
	"AWS::Logs":       "logs",
	"AWS::S3":         "s3",
	"AWS::SNS":        "sns",
	"AWS::SQS":        "sqs",
}

// ServiceOf is the IAM service prefix CloudFormation needs for a resource type: AWS::IAM types are
// the roles statement's, custom resources are Lambda invocations and AWS::CDK::Metadata calls nothing.
func ServiceOf(resourceType string) (string, bool) {
	switch {
	case resourceType == "AWS::CDK::Metadata":
		return "", true
	case strings.HasPrefix(resourceType, "Custom::"):
		return "lambda", true
	case resourceType == "AWS::IAM::Role" || resourceType == "AWS::IAM::Policy":
		return "iam", true
	}
	namespace := resourceType[:strings.LastIndex(resourceType, "::")]
	prefix, ok := services[namespace]
	return prefix, ok
}

// RoleActions are what CloudFormation does to the stack's roles and their policies: no managed policy
// is attached (the stack uses none), no user, group or access key is made.
var RoleActions = []string{
	"iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateRoleDescription",
	"iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags",
	"iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies",
	"iam:ListAttachedRolePolicies", "iam:PassRole",
}

// RouteOut are the EC2 actions that would give the isolated VPC a way to or from the internet or
// another network, or run a workload in it.
var RouteOut = []string{
	"ec2:CreateInternetGateway", "ec2:AttachInternetGateway", "ec2:CreateEgressOnlyInternetGateway",
	"ec2:CreateNatGateway", "ec2:AllocateAddress", "ec2:CreateVpcPeeringConnection",
	"ec2:AcceptVpcPeeringConnection", "ec2:CreateTransitGatewayVpcAttachment", "ec2:CreateVpnGateway",
	"ec2:AttachVpnGateway", "ec2:RunInstances",
}

// Inference are the model calls a deployment never makes.
var Inference = []string{"bedrock:InvokeModel*", "bedrock:CallWithBearerToken", "bedrock-mantle:*"}

// PolicyName is the managed policy's name in each environment account.
func PolicyName(project string) string { return project + "-cfn-execution" }

// Document is the execution policy for env's account and region.
func Document(project string, env config.Environment) map[string]any {
	arn := func(service, region, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", env.Partition(), service, region, env.Account, resource)
	}
	var stackServices []string
	for _, prefix := range services {
		stackServices = append(stackServices, prefix+":*")
	}
	slices.Sort(stackServices)
	// CloudFormation names the roles it generates <stack name>-<logical ID>-<suffix>; access roles
	// have the configured names.
	roles := []string{arn("iam", "", "role/"+config.StackName(project, env.Name)+"-*")}
	for _, r := range env.AccessRoles {
		roles = append(roles, arn("iam", "", "role/"+r.Name))
	}
	return map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			map[string]any{
				"Sid": "StackServicesInTheRegion", "Effect": "Allow", "Action": stackServices, "Resource": "*",
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:RequestedRegion": env.Region}},
			},
			map[string]any{"Sid": "StackRoles", "Effect": "Allow", "Action": RoleActions, "Resource": roles},
			map[string]any{
				// The stack's BootstrapVersion parameter, which CloudFormation resolves as this role.
				"Sid": "BootstrapVersion", "Effect": "Allow", "Action": "ssm:GetParameters",
				"Resource": arn("ssm", env.Region, "parameter/cdk-bootstrap/hnb659fds/version"),
			},
			map[string]any{"Sid": "NoRouteOutOfTheVpc", "Effect": "Deny", "Action": RouteOut, "Resource": "*"},
			map[string]any{"Sid": "NoModelCalls", "Effect": "Deny", "Action": Inference, "Resource": "*"},
		},
	}
}

// MaxSize is IAM's limit for a managed policy document, in characters without whitespace:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
const MaxSize = 6144

// CheckSize says whether the document fits a managed policy, and what to do when it does not.
func CheckSize(env string, document map[string]any) error {
	raw, err := json.Marshal(document)
	if err != nil {
		return err
	}
	if len(raw) > MaxSize {
		return fmt.Errorf("the execution policy of environment %q is %d characters, more than the %d of an IAM managed policy: give its access roles a common name prefix and fewer entries, or split the role statement into a second policy (--cloudformation-execution-policies takes several)", env, len(raw), MaxSize)
	}
	return nil
}
