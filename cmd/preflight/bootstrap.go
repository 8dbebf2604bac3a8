package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
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

// checkBootstrap confirms `cdk bootstrap` ran in the account and region, finished, and is recent enough.
func checkBootstrap(ctx context.Context, api stacksAPI, env config.Environment) checklist.Row {
	const name = "CDK bootstrap"
	bootstrap := fmt.Sprintf("npm run cdk -- bootstrap aws://%s/%s", env.Account, env.Region)
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(toolkitStack)})
	// CloudFormation answers a stack name it does not know with a ValidationError.
	missing := hasCode(err, "ValidationError") && strings.Contains(reason(err), "does not exist")
	if err != nil && !missing {
		return unchecked(name, "", err)
	}
	if missing || len(out.Stacks) == 0 {
		return checklist.Fail(name, "no "+toolkitStack+" stack in "+env.Region, bootstrap)
	}
	stack := out.Stacks[0]
	status := string(stack.StackStatus)
	switch {
	case strings.HasSuffix(status, "_IN_PROGRESS"):
		return checklist.Fail(name, toolkitStack+" is "+status, "wait for the stack operation to finish, then run the preflight again")
	case !strings.HasSuffix(status, "_COMPLETE") || strings.Contains(status, "ROLLBACK"):
		return checklist.Fail(name, toolkitStack+" is "+status, "read the stack's events in the CloudFormation console, fix "+
			"the cause (a stack in ROLLBACK_COMPLETE must be deleted), then run "+bootstrap)
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
			"upgrade it with the pinned CLI: "+bootstrap)
	}
	return checklist.Pass(name, fmt.Sprintf("%s %s, bootstrap version %d", toolkitStack, status, version))
}
