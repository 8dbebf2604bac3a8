package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

// loggingResource is the custom resource that puts the configuration (constructs/invocationlogging).
const loggingResource = "Custom::BedrockModelInvocationLogging"

// checkLogging compares the account's model invocation logging configuration with the one the stack
// puts, derived as lambda/loggingconfig derives it from its properties: the stack's log group with its
// delivery role, payloads too large for CloudWatch to the bucket under <prefix>/large-data, everything
// to the bucket under <prefix>, and the configured delivery flags (video never). The delivery role is
// read from the deployed template's custom resource.
func checkLogging(ctx context.Context, api *bedrock.Client, env config.Environment, d *deployment) checklist.Row {
	const name = "Invocation logging"
	outputs, missing := d.need(name, outputLogGroup, outputLogBucket)
	if missing != nil {
		return *missing
	}
	logGroup, bucket := outputs[0], outputs[1]
	out, err := api.GetModelInvocationLoggingConfiguration(ctx, &bedrock.GetModelInvocationLoggingConfigurationInput{})
	if err != nil {
		return command.Unchecked(name, "", err)
	}
	restore := fmt.Sprintf("find out who changed it (the InvocationLoggingChanges alert names the caller) and put the stack's back "+
		"with aws bedrock put-model-invocation-logging-configuration --region %s: a deployment puts it only when the stack's "+
		"logging properties change", env.Region)
	c := out.LoggingConfig
	if c == nil || c.CloudWatchConfig == nil && c.S3Config == nil {
		return checklist.Fail(name, "no model invocation logging configuration in "+env.Region+": no call is logged", restore)
	}
	cw, s3 := c.CloudWatchConfig, c.S3Config
	if cw == nil {
		cw = &types.CloudWatchConfig{}
	}
	large := cw.LargeDataDeliveryS3Config
	if large == nil {
		large = &types.S3Config{}
	}
	if s3 == nil {
		s3 = &types.S3Config{}
	}
	l := env.InvocationLogging
	fields := []struct{ name, got, want string }{
		{"cloudWatchConfig.logGroupName", aws.ToString(cw.LogGroupName), logGroup},
		{"cloudWatchConfig.largeDataDeliveryS3Config.bucketName", aws.ToString(large.BucketName), bucket},
		{"cloudWatchConfig.largeDataDeliveryS3Config.keyPrefix", aws.ToString(large.KeyPrefix), l.S3KeyPrefix + "/large-data"},
		{"s3Config.bucketName", aws.ToString(s3.BucketName), bucket},
		{"s3Config.keyPrefix", aws.ToString(s3.KeyPrefix), l.S3KeyPrefix},
		{"textDataDeliveryEnabled", fmt.Sprint(aws.ToBool(c.TextDataDeliveryEnabled)), fmt.Sprint(l.TextDelivery)},
		{"imageDataDeliveryEnabled", fmt.Sprint(aws.ToBool(c.ImageDataDeliveryEnabled)), fmt.Sprint(l.ImageDelivery)},
		{"embeddingDataDeliveryEnabled", fmt.Sprint(aws.ToBool(c.EmbeddingDataDeliveryEnabled)), fmt.Sprint(l.EmbeddingDelivery)},
		{"videoDataDeliveryEnabled", fmt.Sprint(aws.ToBool(c.VideoDataDeliveryEnabled)), "false"},
	}
	role, roleErr := deliveryRole(d)
	if roleErr == nil {
		fields = append(fields, struct{ name, got, want string }{"cloudWatchConfig.roleArn", aws.ToString(cw.RoleArn), role})
	}
	var problems []string
	for _, f := range fields {
		if f.got != f.want {
			if f.got == "" {
				f.got = "not set"
			}
			problems = append(problems, fmt.Sprintf("%s is %s, the stack puts %s", f.name, f.got, f.want))
		}
	}
	if len(problems) > 0 {
		return checklist.Fail(name, strings.Join(problems, "; "), restore)
	}
	detail := fmt.Sprintf("the stack's: log group %s, bucket %s under %s/, delivery of %s", logGroup, bucket, l.S3KeyPrefix, deliveries(l))
	if roleErr != nil {
		return checklist.Warn(name, detail+"; the delivery role was not compared: "+roleErr.Error(),
			"verify reads the role from the deployed template: see the Endpoint row for why it could not")
	}
	return checklist.Pass(name, detail)
}

// deliveryRole is the role the stack gives Bedrock to write to the log group.
func deliveryRole(d *deployment) (string, error) {
	props, err := d.resource(loggingResource, "")
	if err != nil {
		return "", err
	}
	role, err := d.resolve(props["DeliveryRoleArn"])
	if err != nil {
		return "", err
	}
	if s, ok := role.(string); ok {
		return s, nil
	}
	return "", fmt.Errorf("%w: DeliveryRoleArn %v", errUnresolvable, role)
}

// deliveries names the payloads logged, e.g. "text and images".
func deliveries(l config.InvocationLogging) string {
	var kinds []string
	for _, k := range []struct {
		on   bool
		name string
	}{{l.TextDelivery, "text"}, {l.ImageDelivery, "images"}, {l.EmbeddingDelivery, "embeddings"}} {
		if k.on {
			kinds = append(kinds, k.name)
		}
	}
	return strings.Join(kinds, " and ")
}
