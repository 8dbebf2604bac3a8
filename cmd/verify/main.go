// Command verify checks, with an engineer's AWS credentials, that an environment's deployed stack is
// intact and works end to end, and prints a checklist with the fix for every problem:
//
//	go run ./cmd/verify [-config environments.json] [-wait 5m] <environment>
//
// It checks the account and region, that the stack is deployed and has not drifted, the bedrock-runtime
// endpoint and its policy, the VPC's default security group, the model invocation logging
// configuration, the account's guardrail enforcement, the alarms, a test call for every configured model
// and inference profile and one for a model that is not configured, and that the test call's
// invocation log record reaches the log group, the delivery bucket and the vault within -wait.
//
// The checks run in the environment's region. AWS_REGION, AWS_DEFAULT_REGION or the profile may name
// it; when none names a region the environment's is used, and when one names another region verify
// refuses, as for another account: those credentials are meant for another deployment.
//
// Besides reading, it starts a drift detection (which changes nothing) and invokes the test function
// once per model plus once for the model that must be refused: a few tokens each, logged like any
// call. It needs sts:GetCallerIdentity, cloudformation:DescribeStacks, cloudformation:GetTemplate,
// cloudformation:ListStackResources, cloudformation:DetectStackDrift (and the read actions of the
// stack's resource types, which drift detection calls with the same credentials),
// cloudformation:DescribeStackDriftDetectionStatus, cloudformation:DescribeStackResourceDrifts,
// ec2:DescribeVpcEndpoints, ec2:DescribeSecurityGroups,
// bedrock:GetModelInvocationLoggingConfiguration, bedrock:ListEnforcedGuardrailsConfiguration,
// cloudwatch:DescribeAlarms, lambda:InvokeFunction, logs:FilterLogEvents and s3:ListBucket on the
// delivery bucket and the vault.
//
// Exit status: 0 when no check failed, 1 when one did or there are no credentials, 2 for usage and
// configuration errors.
package main

import (
	"context"
	"flag"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/awsenv"
	"github.com/privatebedrock/stack/internal/checkcmd"
	"github.com/privatebedrock/stack/internal/checklist"
)

// command names verify in what it tells the user.
const command awsenv.Command = "verify"

// How often verify asks whether a drift detection finished, and whether the invocation log record
// arrived.
const (
	driftInterval    = 5 * time.Second
	deliveryInterval = 10 * time.Second
)

func main() { checkcmd.Main(run) }

// run is the command: its arguments, configuration, credentials and exit status are checkcmd's, and
// -wait is its own.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var wait time.Duration
	return checkcmd.Command{
		Name: "verify", Heading: "Verify", Wording: command,
		Options: "[-wait 5m]",
		Flags: func(flags *flag.FlagSet) {
			flags.DurationVar(&wait, "wait", 5*time.Minute, "how long to wait for the drift detection and for the test call's invocation log record")
		},
		Valid:             func() bool { return wait >= 0 },
		EnvironmentRegion: true,
		Check: func(ctx context.Context, cfg aws.Config, file *config.File, env config.Environment) *checklist.Checklist {
			v := &verifier{
				env:      env,
				stack:    config.StackName(file.Project, env.Name),
				drift:    waiter{timeout: wait, interval: driftInterval, sleep: sleep},
				delivery: waiter{timeout: wait, interval: deliveryInterval, sleep: sleep},
				clients:  newClients(cfg),
			}
			return v.verify(ctx, cfg.Region)
		},
	}.Run(ctx, args, stdout, stderr)
}

// clients are the AWS APIs verify calls. The checks take the SDK's clients themselves: their tests point
// them at fakeaws, so an interface per check would only repeat the SDK's signatures.
type clients struct {
	sts            *sts.Client
	cloudformation *cloudformation.Client
	ec2            *ec2.Client
	bedrock        *bedrock.Client
	cloudwatch     *cloudwatch.Client
	lambda         *lambda.Client
	logs           *cloudwatchlogs.Client
	s3             *s3.Client
}

func newClients(cfg aws.Config) clients {
	return clients{
		sts:            sts.NewFromConfig(cfg),
		cloudformation: cloudformation.NewFromConfig(cfg),
		ec2:            ec2.NewFromConfig(cfg),
		bedrock:        bedrock.NewFromConfig(cfg),
		cloudwatch:     cloudwatch.NewFromConfig(cfg),
		lambda:         lambda.NewFromConfig(cfg),
		logs:           cloudwatchlogs.NewFromConfig(cfg),
		s3:             s3.NewFromConfig(cfg),
	}
}

// verifier checks one environment's deployed stack.
type verifier struct {
	env   config.Environment
	stack string
	// drift bounds the drift detection; delivery the wait for the invocation log record.
	drift, delivery waiter
	clients
}

// verify runs the checks. The account, region and stack come first, each a condition of the others;
// the rest run concurrently, their rows in a fixed order.
func (v *verifier) verify(ctx context.Context, region string) *checklist.Checklist {
	var list checklist.Checklist
	row, ok := command.CheckAccount(ctx, v.sts, v.env)
	list.Add(row)
	if !ok {
		return &list
	}
	row, ok = checkRegion(region, v.env)
	list.Add(row)
	if !ok {
		return &list
	}
	row, outputs, ok := checkStack(ctx, v.cloudformation, v.stack, v.env)
	list.Add(row)
	if !ok {
		return &list
	}
	d := loadDeployment(ctx, v.cloudformation, v.stack, v.env, outputs)
	list.Add(concurrently(
		func() []checklist.Row { return []checklist.Row{checkDrift(ctx, v.cloudformation, v.stack, v.drift)} },
		func() []checklist.Row {
			return []checklist.Row{checkEndpoint(ctx, v.ec2, v.env, d), checkDefaultSecurityGroup(ctx, v.ec2, d)}
		},
		func() []checklist.Row {
			if !v.env.InvocationLogging.Enabled {
				return nil
			}
			return []checklist.Row{checkLogging(ctx, v.bedrock, v.env, d)}
		},
		func() []checklist.Row {
			if !v.env.Guardrail.Enabled || !v.env.Guardrail.EnforceInAccount {
				return nil
			}
			return []checklist.Row{checkEnforcedGuardrail(ctx, v.bedrock, v.env, d)}
		},
		func() []checklist.Row { return []checklist.Row{checkAlarms(ctx, v.cloudwatch, v.env, d)} },
		func() []checklist.Row {
			rows, call := checkTestCalls(ctx, v.lambda, v.env, d)
			if v.env.InvocationLogging.Enabled {
				rows = append(rows, checkDelivery(ctx, v.logs, v.s3, v.env, d, call, v.delivery)...)
			}
			return rows
		},
	)...)
	return &list
}
