package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

type loggingAPI interface {
	GetModelInvocationLoggingConfiguration(context.Context, *bedrock.GetModelInvocationLoggingConfigurationInput, ...func(*bedrock.Options)) (*bedrock.GetModelInvocationLoggingConfigurationOutput, error)
}

// checkInvocationLogging looks for a model invocation logging configuration the stack would meet:
// Bedrock keeps one per account and region, and the stack's deploy-time handler refuses to replace one
// it did not create unless told to take it over.
func checkInvocationLogging(ctx context.Context, api loggingAPI, project string, env config.Environment) checklist.Row {
	const name = "Invocation logging"
	out, err := api.GetModelInvocationLoggingConfiguration(ctx, &bedrock.GetModelInvocationLoggingConfigurationInput{})
	if err != nil {
		return unchecked(name, "", err)
	}
	ours := config.InvocationLogGroupName(config.StackName(project, env.Name))
	current := out.LoggingConfig
	if current == nil {
		return checklist.Pass(name, "no configuration in "+env.Region+" yet: the stack will put its own")
	}
	var found []string
	if cw := current.CloudWatchConfig; cw != nil {
		if aws.ToString(cw.LogGroupName) == ours {
			return checklist.Pass(name, "this stack's configuration, to log group "+ours)
		}
		found = append(found, "log group "+aws.ToString(cw.LogGroupName))
	}
	if s3 := current.S3Config; s3 != nil {
		found = append(found, "bucket "+aws.ToString(s3.BucketName))
	}
	theirs := strings.Join(found, ", ")
	if env.InvocationLogging.TakeOverExistingConfiguration {
		return checklist.Warn(name, "another configuration ("+theirs+") is in place and the deployment will replace it "+
			"(takeOverExistingConfiguration)", "tell whoever reads "+theirs+" that invocations will be logged to "+ours+" instead")
	}
	return checklist.Fail(name, "another configuration ("+theirs+") is in place, and Bedrock keeps one per account and region",
		fmt.Sprintf("remove it once nobody relies on it (aws bedrock delete-model-invocation-logging-configuration --region %s), "+
			"or set invocationLogging.takeOverExistingConfiguration to true to replace it", env.Region))
}
