package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/cfnresolve"
	"github.com/privatebedrock/stack/internal/checklist"
)

// Outputs of stacks/environment that the checks read.
const (
	outputVpc          = "VpcId"
	outputEndpoint     = "BedrockRuntimeEndpointId"
	outputFunction     = "InvokerFunctionName"
	outputInvokerRole  = "InvokerRoleArn"
	outputLogGroup     = "InvocationLogGroupName"
	outputLogBucket    = "InvocationLogBucketName"
	outputVault        = "InvocationLogVaultName"
	outputAlertTopic   = "AlertTopicArn"
	outputGuardrail    = "GuardrailArn"
	outputGuardrailVer = "GuardrailVersion"
)

// deployment is what the checks read of the deployed stack: its outputs, and its template with the
// physical IDs of its resources, which resolve the template's references to what was deployed.
type deployment struct {
	env     config.Environment
	stack   string
	outputs map[string]string
	// template is nil when it could not be read; templateErr says why.
	template    *cfnresolve.Resolver
	templateErr error
	// physical maps logical resource IDs to physical ones.
	physical map[string]string
}

// loadDeployment reads the deployed template and the stack's resources.
func loadDeployment(ctx context.Context, api *cloudformation.Client, stack string, env config.Environment, outputs map[string]string) *deployment {
	d := &deployment{env: env, stack: stack, outputs: outputs, physical: map[string]string{}}
	out, err := api.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String(stack), TemplateStage: types.TemplateStageOriginal})
	if err != nil {
		d.templateErr = err
		return d
	}
	// The resolver reads d.physical once it is filled.
	template, err := cfnresolve.New([]byte(aws.ToString(out.TemplateBody)), cfnresolve.Deployment{
		Partition: env.Partition(), Region: env.Region, Account: env.Account,
		Stack: &cfnresolve.Stack{Name: stack, PhysicalIDs: d.physical, Outputs: outputs},
	})
	if err != nil {
		d.templateErr = fmt.Errorf("the deployed template is not the JSON cdk deploy uploads: %w", errors.Unwrap(err))
		return d
	}
	for p := cloudformation.NewListStackResourcesPaginator(api, &cloudformation.ListStackResourcesInput{StackName: aws.String(stack)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			d.templateErr = err
			return d
		}
		for _, r := range page.StackResourceSummaries {
			d.physical[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
		}
	}
	d.template = template
	return d
}

// output is a stack output the check named name needs; a missing one fails the check.
func (d *deployment) output(name, key string) (string, *checklist.Row) {
	values, missing := d.need(name, key)
	if missing != nil {
		return "", missing
	}
	return values[0], nil
}

// need returns the stack outputs the check named name needs, in the order of keys; a missing one fails
// the check.
func (d *deployment) need(name string, keys ...string) ([]string, *checklist.Row) {
	values := make([]string, len(keys))
	for i, key := range keys {
		if values[i] = d.outputs[key]; values[i] == "" {
			row := checklist.Fail(name, "the stack has no output "+key+": it was deployed from an older version of this repository",
				"deploy it again: "+deployCommand(d.env, d.stack))
			return nil, &row
		}
	}
	return values, nil
}

// errUnresolvable marks a template value verify cannot resolve: the checks then compare with the
// configuration only.
var errUnresolvable = cfnresolve.ErrUnresolvable

// resolve returns a value of the deployed template with its intrinsics replaced by what was deployed
// (cfnresolve with the stack's physical IDs and outputs): pseudo parameters, Ref (a resource's physical
// ID), Fn::GetAtt of what the stack outputs (role ARNs, the guardrail's ARN and version) and of ARNs by
// their physical name, and Fn::Join. Anything else is errUnresolvable, so that nothing is compared
// half-resolved.
func (d *deployment) resolve(v any) (any, error) {
	if d.template == nil {
		return nil, d.templateErr
	}
	return d.template.Resolve(v)
}

// resource finds the template's one resource of a type, or, when physicalID is not empty, the one
// deployed as physicalID, for the checks that compare with its properties.
func (d *deployment) resource(resourceType, physicalID string) (map[string]any, error) {
	if d.template == nil {
		return nil, d.templateErr
	}
	var found []map[string]any
	for id, properties := range d.template.Resources(resourceType) {
		if physicalID == "" || d.physical[id] == physicalID {
			found = append(found, properties)
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("%w: the deployed template has %d such %s resources, not one", errUnresolvable, len(found), resourceType)
	}
	return found[0], nil
}
