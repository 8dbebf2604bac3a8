package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
	"github.com/privatebedrock/stack/internal/executionpolicy"
)

type stacksAPI interface {
	DescribeStacks(context.Context, *cloudformation.DescribeStacksInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

const (
	toolkitStack = "CDKToolkit"
	// minBootstrapVersion is the oldest bootstrap stack the synthesized templates accept: their
	// CheckBootstrapVersion rule fails the deployment below it.
	minBootstrapVersion = 6
)

// checkBootstrap confirms `cdk bootstrap` ran in the account and region, finished, and is recent enough,
// and returns the bootstrap stack when it exists.
func checkBootstrap(ctx context.Context, api stacksAPI, env config.Environment) (checklist.Row, *types.Stack) {
	const name = "CDK bootstrap"
	bootstrap := fmt.Sprintf("npm run cdk -- bootstrap aws://%s/%s", env.Account, env.Region)
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(toolkitStack)})
	// CloudFormation answers a stack name it does not know with a ValidationError.
	missing := hasCode(err, "ValidationError") && strings.Contains(reason(err), "does not exist")
	if err != nil && !missing {
		return unchecked(name, "", err), nil
	}
	if missing || len(out.Stacks) == 0 {
		return checklist.Fail(name, "no "+toolkitStack+" stack in "+env.Region, bootstrap), nil
	}
	stack := &out.Stacks[0]
	status := string(stack.StackStatus)
	switch {
	case strings.HasSuffix(status, "_IN_PROGRESS"):
		return checklist.Fail(name, toolkitStack+" is "+status, "wait for the stack operation to finish, then run the preflight again"), stack
	case !strings.HasSuffix(status, "_COMPLETE") || strings.Contains(status, "ROLLBACK"):
		return checklist.Fail(name, toolkitStack+" is "+status, "read the stack's events in the CloudFormation console, fix "+
			"the cause (a stack in ROLLBACK_COMPLETE must be deleted), then run "+bootstrap), stack
	}
	version := -1
	for _, o := range stack.Outputs {
		if aws.ToString(o.OutputKey) == "BootstrapVersion" {
			if v, err := strconv.Atoi(aws.ToString(o.OutputValue)); err == nil {
				version = v
			}
		}
	}
	if version < minBootstrapVersion {
		found := "has no BootstrapVersion output"
		if version >= 0 {
			found = fmt.Sprintf("is bootstrap version %d", version)
		}
		return checklist.Fail(name, fmt.Sprintf("%s %s; the templates need version %d or later", toolkitStack, found, minBootstrapVersion),
			"upgrade it with the pinned CLI: "+bootstrap), stack
	}
	return checklist.Pass(name, fmt.Sprintf("%s %s, bootstrap version %d", toolkitStack, status, version)), stack
}

// checkPipelineTrust confirms the bootstrap stack lets the pipeline's tooling account deploy, and says
// which policy CloudFormation then deploys with: the project's execution policy, or AdministratorAccess.
func checkPipelineTrust(toolkit *types.Stack, project string, pipeline config.Pipeline, env config.Environment) checklist.Row {
	const name = "Pipeline trust"
	// What cdk bootstrap gives CloudFormation when a trusted account is given and no policy named.
	administratorAccess := fmt.Sprintf("arn:%s:iam::aws:policy/AdministratorAccess", env.Partition())
	policy := fmt.Sprintf("arn:%s:iam::%s:policy/%s", env.Partition(), env.Account, executionpolicy.PolicyName(project))
	bootstrap := fmt.Sprintf("create the execution policy and bootstrap again (README, Delivery pipeline): npm run cdk -- bootstrap aws://%s/%s --trust %s --cloudformation-execution-policies %s",
		env.Account, env.Region, pipeline.Account, policy)
	parameters := map[string][]string{}
	for _, p := range toolkit.Parameters {
		if v := aws.ToString(p.ParameterValue); v != "" {
			parameters[aws.ToString(p.ParameterKey)] = strings.Split(v, ",")
		}
	}
	if env.Account == pipeline.Account {
		return checklist.Pass(name, "the pipeline runs in this account: nothing to trust")
	}
	if !slices.Contains(parameters["TrustedAccounts"], pipeline.Account) {
		return checklist.Fail(name, fmt.Sprintf("%s does not trust the pipeline's account %s: the pipeline cannot deploy here", toolkitStack, pipeline.Account), bootstrap)
	}
	policies := parameters["CloudFormationExecutionPolicies"]
	if len(policies) == 0 {
		return checklist.Fail(name, fmt.Sprintf("trusts %s, but CloudFormation's execution role has no policy: every deployment would fail", pipeline.Account), bootstrap)
	}
	if slices.Contains(policies, administratorAccess) {
		return checklist.Warn(name, fmt.Sprintf("trusts %s; CloudFormation deploys with AdministratorAccess", pipeline.Account), bootstrap)
	}
	return checklist.Pass(name, fmt.Sprintf("trusts %s; CloudFormation deploys with %s", pipeline.Account, strings.Join(policies, ", ")))
}
