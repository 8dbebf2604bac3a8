// Package pipeline composes the delivery pipeline: a self-mutating CDK pipeline (aws-cdk-lib's
// pipelines.CodePipeline) in a tooling account that, on every push to the configured branch, runs the
// README's set-up, synth and test commands and deploys every environment, wave by wave, into the
// environments' accounts through their CDK bootstrap roles.
package pipeline

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/pipelines"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/compliance"
	"github.com/privatebedrock/stack/constructs/loggroup"
	"github.com/privatebedrock/stack/constructs/rolepath"
	"github.com/privatebedrock/stack/constructs/securebucket"
	"github.com/privatebedrock/stack/stacks/environment"
)

// Props configures the pipeline stack.
type Props struct {
	Project  string
	Pipeline config.Pipeline
	// Environments are the stacks of every environment of the configuration, each in its stage
	// (environment.NewAll): each wave deploys some of them.
	Environments []*environment.Stack
	// NagReports writes cdk-nag's CSV reports into the cloud assembly. Default: false.
	NagReports bool
}

// Stack is the pipeline stack.
type Stack struct {
	awscdk.Stack
	Pipeline pipelines.CodePipeline
	// Regional are the stacks of the artifact buckets in the environments' other regions.
	Regional        []awscdk.Stack
	regionalBuckets []string
}

// BuildCommands are the commands of the synth step: the README's set-up, synth and test, so a failing
// test stops every deployment. A test keeps them equal to the README.
var BuildCommands = []string{"npm ci", "npm run synth", "npm test"}

// CLIVersion is the CDK CLI the self-mutation step installs: the one the project pins in package.json
// (a test keeps them equal), so the pipeline updates itself with the CLI the tests ran. Asset
// publishing installs cdk-assets, versioned on its own, at the release aws-cdk-lib recommends (latest).
const CLIVersion = "2.1148.1"

// cacheDir holds the synth step's Go and npm caches, which CodeBuild's local cache keeps between builds.
const cacheDir = "/root/.cache/private-bedrock"

// logRetention keeps build logs for a year (Control Tower CT.CLOUDWATCH.PR.2).
const logRetention = awslogs.RetentionDays_ONE_YEAR

// New creates the pipeline stack in the tooling account and the waves that deploy the environments'
// stages.
func New(app constructs.Construct, props Props) *Stack {
	pl := props.Pipeline
	name := config.PipelineStackName(props.Project)
	stack := awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{
		StackName:   jsii.String(name),
		Description: jsii.String("Delivery pipeline for private, audited access to Amazon Bedrock (" + props.Project + ")"),
		Env:         &awscdk.Environment{Account: jsii.String(pl.Account), Region: jsii.String(pl.Region)},
	})
	awscdk.Tags_Of(stack).Add(jsii.String("project"), jsii.String(props.Project), nil)
	s := &Stack{Stack: stack}

	// What crossAccountKeys would create, made by the project's constructs: a customer-managed key
	// (rotated, grants only for AWS resources) that the pipeline shares with each environment's
	// deploy role, and a bucket with the protections of every other bucket here.
	key := cmk.New(stack, "ArtifactKey", cmk.Props{Description: "Encrypts the artifacts and build logs of pipeline " + name})
	artifacts := newArtifactBucket(stack, key, nil)
	logs := loggroup.New(stack, "BuildLogs", loggroup.Props{
		Name:      "/" + name + "/codebuild",
		Key:       key,
		Retention: logRetention,
	})
	codePipeline := awscodepipeline.NewPipeline(stack, jsii.String("CodePipeline"), &awscodepipeline.PipelineProps{
		PipelineName: jsii.String(name),
		PipelineType: awscodepipeline.PipelineType_V2,
		// The pipeline's own region's bucket is its artifact store; aws-cdk-lib takes one or the other.
		CrossRegionReplicationBuckets: s.newArtifactBuckets(app, props, artifacts),
		// A new commit waits for the running deployment instead of overtaking it mid-wave.
		ExecutionMode:            awscodepipeline.ExecutionMode_QUEUED,
		RestartExecutionOnUpdate: jsii.Bool(true),
	})

	source := pipelines.CodePipelineSource_Connection(jsii.String(pl.Repository), jsii.String(pl.Branch), &pipelines.ConnectionSourceOptions{
		ConnectionArn: jsii.String(pl.ConnectionArn),
		TriggerOnPush: jsii.Bool(true),
	})
	synth := pipelines.NewCodeBuildStep(jsii.String("Synth"), &pipelines.CodeBuildStepProps{
		Input:                  source,
		InstallCommands:        jsii.Strings(BuildCommands[0]),
		Commands:               jsii.Strings(BuildCommands[1:]...),
		PrimaryOutputDirectory: jsii.String("cdk.out"),
		// The tests start a jsii kernel per test binary: more memory than the small instance has.
		BuildEnvironment: &awscodebuild.BuildEnvironment{ComputeType: awscodebuild.ComputeType_MEDIUM},
		// The Go module and build caches and npm's on the build host, while it serves this project:
		// best effort, and nothing leaves the host.
		Cache: awscodebuild.Cache_Local(awscodebuild.LocalCacheMode_CUSTOM),
		PartialBuildSpec: awscodebuild.BuildSpec_FromObject(&map[string]any{
			"cache": map[string]any{"paths": []string{cacheDir + "/**/*"}},
			"phases": map[string]any{"install": map[string]any{
				// Node 20 runs npm ci, which installs the pinned Node 22 that synth and test run on. Naming
				// one runtime selects only the runtimes named, so Go too: any release since 1.21 downloads
				// the toolchain go.mod names.
				"runtime-versions": map[string]any{"nodejs": "20", "golang": "latest"},
			}},
		}),
		Env: &map[string]*string{
			// The image's Go downloads the toolchain go.mod names (go 1.26), as on a developer's machine.
			"GOTOOLCHAIN": jsii.String("auto"),
			// The caches where the local cache keeps them, whatever the image sets.
			"GOMODCACHE":       jsii.String(cacheDir + "/go-mod"),
			"GOCACHE":          jsii.String(cacheDir + "/go-build"),
			"npm_config_cache": jsii.String(cacheDir + "/npm"),
		},
	})
	s.Pipeline = pipelines.NewCodePipeline(stack, jsii.String("Pipeline"), &pipelines.CodePipelineProps{
		CodePipeline: codePipeline,
		Synth:        synth,
		SelfMutation: jsii.Bool(true),
		CliVersion:   jsii.String(CLIVersion),
		// One project publishes every file asset: a project per asset would add a CodeBuild project
		// and an action per Lambda asset and template of every environment.
		PublishAssetsInParallel: jsii.Bool(false),
		CodeBuildDefaults: &pipelines.CodeBuildOptions{
			Logging: &awscodebuild.LoggingOptions{CloudWatch: &awscodebuild.CloudWatchLoggingOptions{LogGroup: logs}},
		},
	})

	stages := map[string]awscdk.Stage{}
	for _, e := range props.Environments {
		stages[e.Environment.Name] = awscdk.Stage_Of(e.Stack)
	}
	for _, w := range pl.Waves {
		options := &pipelines.WaveOptions{}
		if w.Approval {
			options.Pre = &[]pipelines.Step{pipelines.NewManualApprovalStep(jsii.String("Approve"), &pipelines.ManualApprovalStepProps{
				Comment: jsii.String("Deploy " + w.Name + ": review the change sets of the previous waves and this commit's tests first."),
			})}
		}
		wave := s.Pipeline.AddWave(jsii.String(w.Name), options)
		for _, name := range w.Environments {
			wave.AddStage(stages[name], nil)
		}
	}
	// The pipeline's resources exist only once it is built; build it now so the checks see them.
	s.Pipeline.BuildPipeline()
	rolepath.Apply(stack)
	acceptPipelineFindings(s.Pipeline, codePipeline, artifacts, synth, s.regionalBuckets)
	compliance.Check(stack, props.NagReports)
	return s
}

// newArtifactBucket creates an artifact bucket encrypted with key and the bucket its access logs go to,
// in stack; with a name, the bucket has it.
func newArtifactBucket(stack awscdk.Stack, key awskms.IKey, name *string) awss3.Bucket {
	accessLogs := securebucket.NewAccessLogBucket(stack, "AccessLogs", 365, awscdk.RemovalPolicy_RETAIN)
	props := securebucket.Props(key, accessLogs, "artifacts/", awscdk.RemovalPolicy_RETAIN)
	props.BucketName = name
	props.LifecycleRules = &[]*awss3.LifecycleRule{{
		Id: jsii.String("Artifacts"),
		// Each run's source, cloud assembly and change sets; a year covers any audit of a deployment.
		Expiration:                  awscdk.Duration_Days(jsii.Number(365)),
		NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(30)),
	}}
	artifacts := securebucket.New(stack, "Artifacts", props)
	compliance.AcceptNag(artifacts, compliance.Exception{Rule: "NIST.800.53.R5-S3BucketReplicationEnabled",
		Reason: "Pipeline artifacts are rebuilt from the repository by every run; the deployed result lives in each environment's CloudFormation stack."})
	return artifacts
}

// newArtifactBuckets returns the pipeline's artifact buckets by region: artifacts in its own, and for
// each other region of an environment a new stack <pipeline stack>-<region> in the tooling account
// with the bucket CodePipeline replicates that region's artifacts to. Without them aws-cdk-lib would make
// support stacks whose buckets have no customer-managed key, which cross-account deployments refuse.
// The bucket and the key's alias have fixed names, so the pipeline stack refers to them across regions
// without exports.
func (s *Stack) newArtifactBuckets(app constructs.Construct, props Props, artifacts awss3.IBucket) *map[string]awss3.IBucket {
	pl := props.Pipeline
	buckets := map[string]awss3.IBucket{pl.Region: artifacts}
	for _, e := range props.Environments {
		region := e.Environment.Region
		if buckets[region] != nil {
			continue
		}
		name := *s.StackName() + "-" + region
		stack := awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{
			StackName:   jsii.String(name),
			Description: jsii.String("Artifacts of pipeline " + *s.StackName() + " for deployments to " + region),
			Env:         &awscdk.Environment{Account: jsii.String(pl.Account), Region: jsii.String(region)},
		})
		awscdk.Tags_Of(stack).Add(jsii.String("project"), jsii.String(props.Project), nil)
		key := cmk.New(stack, "ArtifactKey", cmk.Props{Description: "Encrypts the artifacts pipeline " + *s.StackName() + " deploys to " + region})
		alias := awskms.NewAlias(stack, jsii.String("ArtifactKeyAlias"), &awskms.AliasProps{
			AliasName: jsii.String("alias/" + props.Project + "-pipeline-artifacts"),
			TargetKey: key,
		})
		bucketName := fmt.Sprintf("%s-artifacts-%s-%s", props.Project, pl.Account, region)
		buckets[region] = newArtifactBucket(stack, alias, jsii.String(bucketName))
		s.regionalBuckets = append(s.regionalBuckets, bucketName)
		compliance.Check(stack, props.NagReports)
		s.Stack.AddStackDependency(stack, jsii.String("the pipeline replicates artifacts to its bucket"))
		s.Regional = append(s.Regional, stack)
	}
	return &buckets
}

// acceptPipelineFindings records why the roles aws-cdk-lib's pipeline makes for itself pass review.
// Each exception names the findings it covers: a permission added later is reported, not hidden.
func acceptPipelineFindings(p pipelines.CodePipeline, codePipeline awscodepipeline.Pipeline, artifacts awss3.Bucket, synth pipelines.CodeBuildStep, regionalBuckets []string) {
	stack := awscdk.Stack_Of(p)
	// grantRead and grantReadWrite on the artifact bucket and its key: object-level actions on that one
	// bucket's objects and the key's data-key actions.
	artifactAccess := []string{
		"Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:DeleteObject*", "Action::s3:Abort*",
		"Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*", compliance.ArnFinding(artifacts, "/*"),
	}
	artifactReason := "aws-cdk-lib's read or read-write grant on the pipeline's own artifact bucket and its key: the wildcards are S3 and KMS action families and the objects of that one bucket."
	inline := compliance.Exception{Rule: "NIST.800.53.R5-IAMNoInlinePolicy",
		Reason: "The policy is the default policy of one role the pipeline makes for one action; it is not attached anywhere else."}
	pipelineExceptions := []compliance.Exception{inline, {Rule: "AwsSolutions-IAM5", Reason: artifactReason,
		AppliesTo: append(artifactAccess, ownBuildLogs(stack, synth.Project())...)}}
	if len(regionalBuckets) > 0 {
		objects := make([]string, len(regionalBuckets))
		for i, b := range regionalBuckets {
			objects[i] = "Resource::arn:" + *stack.Partition() + ":s3:::" + b + "/*"
		}
		pipelineExceptions = append(pipelineExceptions,
			compliance.Exception{Rule: "AwsSolutions-IAM5", Reason: "The objects of the pipeline's artifact buckets in the environments' other regions, named in their stacks.", AppliesTo: objects},
			compliance.Exception{Rule: "AwsSolutions-IAM5", AppliesTo: []string{"Resource::*"},
				Reason: "The data-key actions on the artifact keys of the other regions: aws-cdk-lib grants on a key of another region's stack by its alias, which an IAM policy cannot name, so as *; the key policies admit the tooling account, whose only keys are the pipeline's."})
	}
	compliance.AcceptNag(codePipeline, pipelineExceptions...)
	compliance.AcceptNag(p, inline,
		compliance.Exception{Rule: "AwsSolutions-IAM5", Reason: artifactReason, AppliesTo: artifactAccess},
		compliance.Exception{Rule: "AwsSolutions-IAM5",
			Reason:    "CodeBuild's default grant to a project's role: its own log group and report groups, named after the project.",
			AppliesTo: ownBuildLogs(stack, p.SelfMutationProject())},
		compliance.Exception{Rule: "AwsSolutions-IAM5",
			Reason:    "Self-mutation runs the CDK CLI: it reads stack states and the bootstrap bucket (cloudformation:DescribeStacks, s3:ListBucket on *) and assumes only the tooling account's roles tagged as CDK bootstrap deploy and publishing roles.",
			AppliesTo: []string{"Resource::*", "Resource::arn:*:iam::" + *stack.Account() + ":role/*"}},
		compliance.Exception{Rule: "AwsSolutions-IAM5",
			Reason: "The asset role is shared by the pipeline's publishing projects, whose names are generated: their log groups and report groups under /aws/codebuild, and CodeBuild's batch build actions, which take no resource.",
			AppliesTo: []string{
				"Resource::arn:" + *stack.Partition() + ":logs:" + *stack.Region() + ":" + *stack.Account() + ":log-group:/aws/codebuild/*",
				"Resource::arn:" + *stack.Partition() + ":codebuild:" + *stack.Region() + ":" + *stack.Account() + ":report-group/*",
			}},
	)
}

// ownBuildLogs are the findings of CodeBuild's default grant to project's role: its log group and its
// report groups, named after the project.
func ownBuildLogs(stack awscdk.Stack, project awscodebuild.IProject) []string {
	id := *stack.GetLogicalId(project.Node().DefaultChild().(awscdk.CfnElement))
	prefix := "Resource::arn:" + *stack.Partition() + ":%s:" + *stack.Region() + ":" + *stack.Account() + ":"
	return []string{
		fmt.Sprintf(prefix+"log-group:/aws/codebuild/<%s>:*", "logs", id),
		fmt.Sprintf(prefix+"report-group/<%s>-*", "codebuild", id),
	}
}
