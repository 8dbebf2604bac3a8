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
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("preflight", flag.ContinueOnError)
	flags.SetOutput(stderr)
	path := flags.String("config", "environments.json", "environment configuration `file`")
	flags.Usage = func() {
		fmt.Fprintln(stderr, "usage: preflight [-config environments.json] <environment>")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if flags.NArg() != 1 {
		flags.Usage()
		return exitUsage
	}
	file, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	envs, err := file.Select(flags.Args())
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	env := envs[0]

	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err == nil {
		_, err = cfg.Credentials.Retrieve(ctx)
	}
	if err != nil {
		fmt.Fprintf(stderr, "There are no AWS credentials to check account %s with: export AWS_PROFILE=%s (the "+
			"environment's assumed-role profile, see the README's Deploy section), or run `aws sso login --profile "+
			"%[2]s` if that profile uses IAM Identity Center, then run the preflight again.\n(%v)\n",
			env.Account, exampleProfile(env), err)
		return exitFailed
	}

	fmt.Fprintf(stdout, "Preflight of %s: account %s, region %s\n\n", config.StackName(file.Project, env.Name), env.Account, env.Region)
	list := check(ctx, cfg, file.Project, env)
	if err := list.Render(stdout); err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailed
	}
	if list.Failed() {
		return exitFailed
	}
	return exitOK
}

// exampleProfile follows the README's profile naming.
func exampleProfile(env config.Environment) string { return "bedrock-" + env.Name }

// check runs every check in the environment's region, whatever region cfg resolved: CDK deploys to
// the stack's region.
func check(ctx context.Context, cfg aws.Config, project string, env config.Environment) *checklist.Checklist {
	var list checklist.Checklist
	resolved := cfg.Region
	cfg.Region = env.Region

	row, sameAccount := checkAccount(ctx, sts.NewFromConfig(cfg), env)
	list.Add(row)
	if !sameAccount {
		return &list
	}
	list.Add(checkRegion(resolved, env))
	list.Add(checkBootstrap(ctx, cloudformation.NewFromConfig(cfg), env))
	ec2Client := ec2.NewFromConfig(cfg)
	row, zones := checkZones(ctx, ec2Client, env)
	list.Add(row)
	list.Add(checkEndpointServices(ctx, ec2Client, env, zones)...)
	bedrockClient := bedrock.NewFromConfig(cfg)
	list.Add(checkModels(ctx, bedrockClient, env)...)
	list.Add(checkConcurrency(ctx, lambda.NewFromConfig(cfg), env))
	if env.InvocationLogging.Enabled {
		list.Add(checkInvocationLogging(ctx, bedrockClient, project, env))
	}
	if env.Guardrail.Enabled && env.Guardrail.EnforceInAccount {
		list.Add(checkEnforcedGuardrail(ctx, bedrockClient, env))
	}
	list.Add(checkTrail(ctx, cloudtrail.NewFromConfig(cfg), env))
	return &list
}
