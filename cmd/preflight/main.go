// Command preflight checks, with a platform engineer's AWS credentials, that an environment's account
// and region are ready for the environment's first `cdk deploy`, and prints a checklist with the fix for
// every problem:
//
//	go run ./cmd/preflight [-config environments.json] <environment>
//
// It only reads, with these IAM actions: sts:GetCallerIdentity (needs no permission),
// cloudformation:DescribeStacks, ec2:DescribeAvailabilityZones, ec2:DescribeVpcEndpointServices,
// bedrock:GetFoundationModel, bedrock:GetFoundationModelAvailability, bedrock:GetInferenceProfile,
// bedrock:GetModelInvocationLoggingConfiguration, bedrock:ListEnforcedGuardrailsConfiguration,
// lambda:GetAccountSettings, cloudtrail:DescribeTrails,
// cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors.
//
// Exit status: 0 when no check failed, 1 when one did or there are no credentials, 2 for usage and
// configuration errors.
package main

import (
	"context"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checkcmd"
	"github.com/privatebedrock/stack/internal/checklist"
)

func main() { checkcmd.Main(run) }

// run is the command: its arguments, configuration, credentials and exit status are checkcmd's.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return checkcmd.Command{Name: "preflight", Heading: "Preflight", Wording: command, Check: check}.Run(ctx, args, stdout, stderr)
}

// check runs every check in the environment's region, whatever region cfg resolved: CDK deploys to
// the stack's region.
func check(ctx context.Context, cfg aws.Config, file *config.File, env config.Environment) *checklist.Checklist {
	var list checklist.Checklist
	resolved := cfg.Region
	cfg.Region = env.Region

	row, sameAccount := checkAccount(ctx, sts.NewFromConfig(cfg), env)
	list.Add(row)
	if !sameAccount {
		return &list
	}
	list.Add(checkRegion(resolved, env))
	row, toolkit := checkBootstrap(ctx, cloudformation.NewFromConfig(cfg), env)
	list.Add(row)
	if p := file.Pipeline; p != nil && toolkit != nil {
		list.Add(checkPipelineTrust(toolkit, file.Project, *p, env))
	}
	ec2Client := ec2.NewFromConfig(cfg)
	row, zones := checkZones(ctx, ec2Client, env)
	list.Add(row)
	list.Add(checkEndpointServices(ctx, ec2Client, env, zones)...)
	bedrockClient := bedrock.NewFromConfig(cfg)
	list.Add(checkModels(ctx, bedrockClient, env)...)
	list.Add(checkConcurrency(ctx, lambda.NewFromConfig(cfg), env))
	if env.InvocationLogging.Enabled {
		list.Add(checkInvocationLogging(ctx, bedrockClient, file.Project, env))
	}
	if env.Guardrail.Enabled && env.Guardrail.EnforceInAccount {
		list.Add(checkEnforcedGuardrail(ctx, bedrockClient, env))
	}
	list.Add(checkTrail(ctx, cloudtrail.NewFromConfig(cfg), env))
	return &list
}
