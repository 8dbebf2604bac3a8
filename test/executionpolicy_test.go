package test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/executionpolicy"
)

// executionLabel labels the access matrix's rows of the CloudFormation execution policy.
const executionLabel = "execution policy"

// The execution policy covers every resource type the environments synthesize, and the stack's roles
// are what its role statement admits: generated names under the stack's, or the access roles'.
func TestExecutionPolicyCoversTheTemplates(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		document := executionpolicy.Document(project, s.env)
		for id, r := range s.template.Resources {
			if prefix, ok := executionpolicy.ServiceOf(r.Type); !ok || !executionpolicy.Covers(document, prefix) {
				t.Errorf("%s is an %s, which the execution policy does not cover: add its service to internal/executionpolicy", id, r.Type)
			}
			if r.Type != "AWS::IAM::Role" {
				continue
			}
			if _, ok := r.Properties["ManagedPolicyArns"]; ok {
				t.Errorf("role %s attaches managed policies, which the execution policy does not allow (iam:AttachRolePolicy)", id)
			}
			name, named := r.Properties["RoleName"].(string)
			switch {
			case named && !slices.ContainsFunc(s.env.AccessRoles, func(a config.AccessRole) bool { return a.Name == name }):
				t.Errorf("role %s is named %s, which is no access role: the execution policy could not create it", id, name)
			case !named && r.Properties["Path"] != "/"+config.StackName(project, s.env.Name)+"/":
				t.Errorf("role %s has a generated name and path %v, not the stack's: the execution policy and the organisation's policies could not name it", id, r.Properties["Path"])
			}
		}
		if err := executionpolicy.CheckSize(fmt.Sprintf("environment %q", s.env.Name), document); err != nil {
			t.Error(err)
		}
	})
}

// The tooling account's execution policy covers every resource type of the pipeline stack, whose roles
// are all generated under its name.
func TestPipelineExecutionPolicyCoversTheTemplate(t *testing.T) {
	var regions []string
	for _, name := range names {
		regions = append(regions, envs[name].env.Region)
	}
	document := executionpolicy.Pipeline(project, fixturePipeline(t), regions)
	for id, r := range deliveryTemplates.template.Resources {
		if prefix, ok := executionpolicy.ServiceOf(r.Type); !ok || !executionpolicy.Covers(document, prefix) {
			t.Errorf("%s is an %s, which the tooling account's execution policy does not cover: add its service to internal/executionpolicy", id, r.Type)
		}
		if r.Type == "AWS::IAM::Role" && r.Properties["Path"] != "/"+config.PipelineStackName(project)+"/" {
			t.Errorf("role %s has path %v, not the pipeline stack's: the tooling account's execution policy could not create it", id, r.Properties["Path"])
		}
	}
}

// executionPolicyCases are the access matrix's rows for the first environment's CloudFormation
// execution role, with the policy this project gives it instead of AdministratorAccess.
func executionPolicyCases(t *testing.T) []accessCase {
	t.Helper()
	e := envs[names[0]].env
	role := fmt.Sprintf("cdk-hnb659fds-cfn-exec-role-%s-%s", e.Account, e.Region)
	identity := []any{executionpolicy.Document(project, e)}
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, e.Region, e.Account, resource)
	}
	iamArn := func(resource string) string { return fmt.Sprintf("arn:aws:iam::%s:%s", e.Account, resource) }
	// Under the stack's IAM path, with a generated name shortened as CloudFormation does long ones.
	generated := iamArn("role/" + config.StackName(project, e.Name) + "/" + project + "-InvokerRoleB87900DB-AbCdEf012345")
	row := func(name, action, resource, what, region, want string) accessCase {
		return accessCase{
			env: executionLabel, name: name, who: "CloudFormation execution role", principal: session(e.Account, role),
			action: action, resource: resource, what: what, account: e.Account, identity: identity,
			context: map[string]any{"aws:RequestedRegion": region}, want: want,
		}
	}
	other := otherRegion(e.Region)
	cases := []accessCase{
		row("creates the VPC", "ec2:CreateVpc", arn("ec2", "vpc/vpc-0123456789abcdef0"), "a VPC", e.Region, "Allowed"),
		row("creates an interface endpoint", "ec2:CreateVpcEndpoint", arn("ec2", "vpc-endpoint/vpce-0123456789abcdef0"), "an endpoint", e.Region, "Allowed"),
		row("versions the guardrail", "bedrock:CreateGuardrailVersion", arn("bedrock", "guardrail/abcd1234efgh"), "a guardrail", e.Region, "Allowed"),
		inVpc(row("creates a function in the VPC", "lambda:CreateFunction", arn("lambda", "function:f"), "a function", e.Region, "Allowed")),
		row("creates a function outside the VPC", "lambda:CreateFunction", arn("lambda", "function:f"), "a function", e.Region, "ExplicitlyDenied"),
		row("gives a function a URL", "lambda:CreateFunctionUrlConfig", arn("lambda", "function:f"), "a function", e.Region, "ExplicitlyDenied"),
		row("creates a client VPN endpoint", "ec2:CreateClientVpnEndpoint", arn("ec2", "client-vpn-endpoint/cvpn-endpoint-0123456789abcdef0"), "a client VPN endpoint", e.Region, "ExplicitlyDenied"),
		row("creates a role named after the stack", "iam:CreateRole", generated, "role `"+config.StackName(project, e.Name)+"-…`", "us-east-1", "Allowed"),
		row("passes a role of the stack to a service", "iam:PassRole", generated, "role `"+config.StackName(project, e.Name)+"-…`", "us-east-1", "Allowed"),
		row("reads the bootstrap version", "ssm:GetParameters", arn("ssm", "parameter/cdk-bootstrap/hnb659fds/version"), "bootstrap version", e.Region, "Allowed"),
		row("creates a VPC in another region", "ec2:CreateVpc", fmt.Sprintf("arn:aws:ec2:%s:%s:vpc/vpc-0123456789abcdef0", other, e.Account), "a VPC ("+other+")", other, "ImplicitlyDenied"),
		row("creates a NAT gateway", "ec2:CreateNatGateway", arn("ec2", "natgateway/nat-0123456789abcdef0"), "a NAT gateway", e.Region, "ExplicitlyDenied"),
		row("attaches an internet gateway", "ec2:AttachInternetGateway", arn("ec2", "internet-gateway/igw-0123456789abcdef0"), "an internet gateway", e.Region, "ExplicitlyDenied"),
		row("runs an instance", "ec2:RunInstances", arn("ec2", "instance/i-0123456789abcdef0"), "an instance", e.Region, "ExplicitlyDenied"),
		row("invokes a model", "bedrock:InvokeModel", e.ModelArns()[0], "", e.Region, "ExplicitlyDenied"),
		row("creates a role of another name", "iam:CreateRole", iamArn("role/Administrator"), "role `Administrator`", "us-east-1", "ImplicitlyDenied"),
		row("attaches a managed policy to a stack role", "iam:AttachRolePolicy", generated, "role `"+config.StackName(project, e.Name)+"-…`", "us-east-1", "ImplicitlyDenied"),
		row("creates an IAM user", "iam:CreateUser", iamArn("user/deployer"), "user `deployer`", "us-east-1", "ImplicitlyDenied"),
		row("creates an access key", "iam:CreateAccessKey", iamArn("user/deployer"), "user `deployer`", "us-east-1", "ImplicitlyDenied"),
	}
	for _, r := range e.AccessRoles {
		cases = append(cases, row("creates access role "+r.Name, "iam:CreateRole", iamArn("role/"+r.Name), "role `"+r.Name+"`", "us-east-1", "Allowed"))
	}
	return append(cases, toolingPolicyCases(t)...)
}

// inVpc is c with the request naming a VPC for the function, as CloudFormation's does for the stack's.
func inVpc(c accessCase) accessCase {
	c.context = merge(c.context, map[string]any{"lambda:VpcIds": []any{"vpc-0123456789abcdef0"}})
	return c
}

// toolingPolicyCases are the rows of the tooling account's CloudFormation execution role, which
// deploys the pipeline stack.
func toolingPolicyCases(t *testing.T) []accessCase {
	t.Helper()
	pl := fixturePipeline(t)
	identity := []any{executionpolicy.Pipeline(project, pl, []string{pl.Region})}
	principal := session(pl.Account, fmt.Sprintf("cdk-hnb659fds-cfn-exec-role-%s-%s", pl.Account, pl.Region))
	pipelineRole := fmt.Sprintf("arn:aws:iam::%s:role/%s/%s-CodePipelineRoleB3A660B4-AbCdEf012345", pl.Account, config.PipelineStackName(project), project)
	row := func(name, action, resource, what, region, want string) accessCase {
		return accessCase{
			env: executionLabel, name: "tooling account: " + name, who: "CloudFormation execution role", principal: principal,
			action: action, resource: resource, what: what, account: pl.Account, identity: identity,
			context: map[string]any{"aws:RequestedRegion": region}, want: want,
		}
	}
	return []accessCase{
		row("creates the pipeline", "codepipeline:CreatePipeline", fmt.Sprintf("arn:aws:codepipeline:%s:%s:%s", pl.Region, pl.Account, config.PipelineStackName(project)), "the pipeline", pl.Region, "Allowed"),
		row("passes the connection to CodePipeline", "codeconnections:PassConnection", pl.ConnectionArn, "the connection", pl.Region, "Allowed"),
		row("creates a role of the pipeline stack", "iam:CreateRole", pipelineRole, "role `"+config.PipelineStackName(project)+"/…`", "us-east-1", "Allowed"),
		row("creates a role of another name", "iam:CreateRole", fmt.Sprintf("arn:aws:iam::%s:role/Administrator", pl.Account), "role `Administrator`", "us-east-1", "ImplicitlyDenied"),
		row("creates a VPC", "ec2:CreateVpc", fmt.Sprintf("arn:aws:ec2:%s:%s:vpc/vpc-0123456789abcdef0", pl.Region, pl.Account), "a VPC", pl.Region, "ImplicitlyDenied"),
	}
}
