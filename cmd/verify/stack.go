package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/awsenv"
	"github.com/privatebedrock/stack/internal/checklist"
)

// deployCommand is the README's deploy command for the environment.
func deployCommand(env config.Environment, stack string) string {
	return fmt.Sprintf("npm run cdk -- deploy -c env=%s %s", env.Name, stack)
}

// checkStack confirms the stack is deployed and settled, and returns its outputs. ok is false when the
// other checks must not run: there is nothing, or nothing settled, to check.
func checkStack(ctx context.Context, api *cloudformation.Client, stack string, env config.Environment) (row checklist.Row, outputs map[string]string, ok bool) {
	const name = "Stack"
	const skipped = "; the other checks did not run"
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	// CloudFormation answers a stack name it does not know with a ValidationError.
	if awsenv.HasCode(err, "ValidationError") && strings.Contains(awsenv.Reason(err), "does not exist") {
		return checklist.Fail(name, fmt.Sprintf("%s is not deployed in account %s, region %s%s", stack, env.Account, env.Region, skipped),
			"deploy it: "+deployCommand(env, stack)), nil, false
	}
	if err != nil {
		row := command.Unchecked(name, "", err)
		row.Detail += skipped
		return row, nil, false
	}
	s := out.Stacks[0]
	status := string(s.StackStatus)
	switch {
	case strings.HasSuffix(status, "_IN_PROGRESS"):
		return checklist.Fail(name, stack+" is "+status+skipped, "wait for the stack operation to finish, then run verify again"), nil, false
	case !strings.HasSuffix(status, "_COMPLETE") || s.StackStatus == types.StackStatusRollbackComplete:
		return checklist.Fail(name, stack+" is "+status+skipped, "read the stack's events in the CloudFormation console and fix "+
			"the cause (a stack in ROLLBACK_COMPLETE must be deleted first), then deploy: "+deployCommand(env, stack)), nil, false
	}
	outputs = map[string]string{}
	for _, o := range s.Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	updated := s.CreationTime
	if s.LastUpdatedTime != nil {
		updated = s.LastUpdatedTime
	}
	detail := fmt.Sprintf("%s %s, last deployed %s", stack, status, aws.ToTime(updated).UTC().Format("2006-01-02 15:04 UTC"))
	if strings.Contains(status, "ROLLBACK") {
		detail += " (its last update rolled back: it runs the template from before that update)"
	}
	return checklist.Pass(name, detail), outputs, true
}

// checkDrift runs CloudFormation's drift detection and waits for its result.
func checkDrift(ctx context.Context, api *cloudformation.Client, stack string, w waiter) checklist.Row {
	const name = "Drift"
	started, err := api.DetectStackDrift(ctx, &cloudformation.DetectStackDriftInput{StackName: aws.String(stack)})
	if err != nil {
		return command.Unchecked(name, "", err)
	}
	var status *cloudformation.DescribeStackDriftDetectionStatusOutput
	done, err := w.poll(ctx, func(time.Duration) (bool, error) {
		var err error
		status, err = api.DescribeStackDriftDetectionStatus(ctx, &cloudformation.DescribeStackDriftDetectionStatusInput{
			StackDriftDetectionId: started.StackDriftDetectionId,
		})
		return err == nil && status.DetectionStatus != types.StackDriftDetectionStatusDetectionInProgress, err
	})
	if err != nil {
		return command.Unchecked(name, "", err)
	}
	results := fmt.Sprintf("the CloudFormation console (the stack's Drifts tab) or aws cloudformation describe-stack-resource-drifts "+
		"--stack-name %s --stack-resource-drift-status-filters MODIFIED DELETED", stack)
	if !done {
		return checklist.Fail(name, fmt.Sprintf("the drift detection was still running after %s", w.timeout),
			"run verify again with a longer -wait, or read the result in "+results)
	}
	if status.StackDriftStatus == types.StackDriftStatusDrifted {
		n := aws.ToInt32(status.DriftedStackResourceCount)
		detail := fmt.Sprintf("%d resources differ from the template", n)
		if n == 1 {
			detail = "1 resource differs from the template"
		}
		if drifted := driftedResources(ctx, api, stack); len(drifted) > 0 {
			detail += ": " + strings.Join(drifted, ", ")
		}
		return checklist.Fail(name, detail, "see what changed in "+results+"; undo the change and find out who made it: "+
			"a deployment restores only the resources whose template changed")
	}
	if status.DetectionStatus == types.StackDriftDetectionStatusDetectionFailed {
		return checklist.Warn(name, "no drift found, but the detection failed for some resources: "+aws.ToString(status.DetectionStatusReason),
			"allow these credentials to read those resources (drift detection reads them with the caller's permissions), then run verify again")
	}
	return checklist.Pass(name, string(status.StackDriftStatus)+": the resources that support drift detection match the template")
}

// driftedResources names the resources that changed or were deleted, e.g. "BedrockRuntimeFAE2B7F3
// (MODIFIED)"; none when they cannot be listed, the count says enough then.
func driftedResources(ctx context.Context, api *cloudformation.Client, stack string) []string {
	var drifted []string
	p := cloudformation.NewDescribeStackResourceDriftsPaginator(api, &cloudformation.DescribeStackResourceDriftsInput{
		StackName:                       aws.String(stack),
		StackResourceDriftStatusFilters: []types.StackResourceDriftStatus{types.StackResourceDriftStatusModified, types.StackResourceDriftStatusDeleted},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil
		}
		for _, d := range page.StackResourceDrifts {
			drifted = append(drifted, fmt.Sprintf("%s (%s)", aws.ToString(d.LogicalResourceId), d.StackResourceDriftStatus))
		}
	}
	return drifted
}
