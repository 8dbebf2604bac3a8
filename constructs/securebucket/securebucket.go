// Package securebucket gives the stack's S3 buckets one set of protections that pass the Control Tower
// S3 controls, so a new bucket cannot quietly have fewer, and makes the access-log bucket they log to.
package securebucket

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/compliance"
)

// Props are the bucket props every data bucket of the stack starts from: SSE-KMS with key and S3 Bucket
// Keys, public access blocked, TLS 1.2 or later only, versioning, bucket-owner-enforced ownership,
// Object Lock enabled (a default retention is the caller's choice, and can be added later without
// replacing the bucket) and server access logs to accessLogs under prefix. Callers add lifecycle,
// retention and replication, then create the bucket with New.
func Props(key awskms.IKey, accessLogs awss3.IBucket, accessLogPrefix string, removal awscdk.RemovalPolicy) *awss3.BucketProps {
	return &awss3.BucketProps{
		Encryption:             awss3.BucketEncryption_KMS,
		EncryptionKey:          key,
		BucketKeyEnabled:       jsii.Bool(true),
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:             jsii.Bool(true),
		MinimumTLSVersion:      jsii.Number(1.2),
		Versioned:              jsii.Bool(true),
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		ObjectLockEnabled:      jsii.Bool(true),
		ServerAccessLogsBucket: accessLogs,
		ServerAccessLogsPrefix: jsii.String(accessLogPrefix),
		RemovalPolicy:          removal,
	}
}

// New creates a bucket from props made with Props: it logs to props.ServerAccessLogsBucket under
// props.ServerAccessLogsPrefix, which that bucket's policy allows, and sends its events to EventBridge.
//
// New configures the logging itself, in any app: given a bucket of the app as ServerAccessLogsBucket,
// aws-cdk-lib allows the delivery in the destination's bucket policy only under the feature flag
// @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy, and without it sets the LogDeliveryWrite ACL, which
// BUCKET_OWNER_ENFORCED ownership refuses. New renders what the flag would: the same logging
// configuration and the same bucket policy statement.
func New(scope constructs.Construct, id string, props *awss3.BucketProps) awss3.Bucket {
	if props == nil || props.ServerAccessLogsBucket == nil {
		panic(fmt.Sprintf("securebucket %q: props.ServerAccessLogsBucket is nil: make the props with Props and give it the access-log bucket (NewAccessLogBucket)", id))
	}
	own := *props
	logs, prefix := own.ServerAccessLogsBucket, own.ServerAccessLogsPrefix
	own.ServerAccessLogsBucket, own.ServerAccessLogsPrefix = nil, nil
	bucket := awss3.NewBucket(scope, jsii.String(id), &own)
	bucket.Node().DefaultChild().(awss3.CfnBucket).SetLoggingConfiguration(&awss3.CfnBucket_LoggingConfigurationProperty{
		DestinationBucketName: logs.BucketName(),
		LogFilePrefix:         prefix,
	})
	allowLogDelivery(logs, bucket, prefix)
	NotifyEventBridge(bucket)
	return bucket
}

// allowLogDelivery lets the S3 logging service write source's access logs under prefix in logs, as
// aws-cdk-lib does under @aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy: a grant on the destination's
// key if it has one, and a bucket policy statement, limited to source where both are in one stack (a
// condition on a bucket of another stack would make the stacks depend on each other).
func allowLogDelivery(logs awss3.IBucket, source awss3.Bucket, prefix *string) {
	logging := awsiam.NewServicePrincipal(jsii.String("logging.s3.amazonaws.com"), nil)
	if key := logs.EncryptionKey(); key != nil {
		key.GrantEncryptDecrypt(logging)
	}
	objects := "*"
	if prefix != nil {
		objects = *prefix + "*"
	}
	statement := &awsiam.PolicyStatementProps{
		Effect:     awsiam.Effect_ALLOW,
		Principals: &[]awsiam.IPrincipal{logging},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  &[]*string{logs.ArnForObjects(jsii.String(objects))},
	}
	if _, defined := logs.(awss3.Bucket); defined && *awscdk.Stack_Of(logs).Node().Path() == *awscdk.Stack_Of(source).Node().Path() {
		statement.Conditions = &map[string]any{
			"ArnLike":      map[string]any{"aws:SourceArn": source.BucketArn()},
			"StringEquals": map[string]any{"aws:SourceAccount": source.Env().Account},
		}
	}
	if !*logs.AddToResourcePolicy(awsiam.NewPolicyStatement(statement)).StatementAdded {
		awscdk.Annotations_Of(source).AddWarningV2(jsii.String("securebucket:accessLogsPolicyNotAdded"), jsii.String(fmt.Sprintf(
			"The access-log bucket %s is imported: allow logging.s3.amazonaws.com s3:PutObject on %s in its bucket policy where it is defined, or S3 drops this bucket's access logs.",
			*logs.Node().Path(), objects)))
	}
}

// NotifyEventBridge sends the bucket's events to EventBridge (Control Tower CT.S3.PR.4) through the L1
// property: the L2 eventBridgeEnabled adds a notification-configuring function outside the VPC.
func NotifyEventBridge(bucket awss3.Bucket) {
	cfn := bucket.Node().DefaultChild().(awss3.CfnBucket)
	cfn.SetNotificationConfiguration(&awss3.CfnBucket_NotificationConfigurationProperty{
		EventBridgeConfiguration: &awss3.CfnBucket_EventBridgeConfigurationProperty{EventBridgeEnabled: jsii.Bool(true)},
	})
}

// NewAccessLogBucket receives the server access logs of the stack's buckets and deletes them after
// expireAfterDays. S3 delivers access logs with SSE-S3 only and refuses Object Lock destinations, so this
// bucket cannot use a KMS key or a lock.
func NewAccessLogBucket(scope constructs.Construct, id string, expireAfterDays int, removal awscdk.RemovalPolicy) awss3.Bucket {
	bucket := awss3.NewBucket(scope, jsii.String(id), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		Versioned:         jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                          jsii.String("AccessLogs"),
			Expiration:                  awscdk.Duration_Days(jsii.Number(float64(expireAfterDays))),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(30)),
		}},
		RemovalPolicy: removal,
	})
	NotifyEventBridge(bucket)
	cfn := bucket.Node().DefaultChild().(awss3.CfnBucket)
	compliance.AcceptControl(cfn, "CT.S3.PR.10", "Destination of S3 server access logs, which S3 delivers only to buckets with SSE-S3 default encryption. It holds request metadata, not prompts or completions, and is encrypted (SSE-S3), TLS-only and closed to the public.")
	compliance.AcceptControl(cfn, "CT.S3.PR.2", "Terminal destination of the stack's server access logs: logging it to itself would loop, and to another bucket would only move the gap. Only the S3 logging service writes to it.")
	compliance.AcceptControl(cfn, "CT.S3.PR.9", "S3 refuses Object Lock buckets as server access log destinations; versioning keeps overwritten or deleted logs for 30 days.")
	compliance.AcceptNag(bucket,
		compliance.Exception{Rule: "NIST.800.53.R5-S3BucketReplicationEnabled",
			Reason: "Request metadata of the log buckets, kept for a limited time; the invocation logs themselves are replicated into the locked vault."},
		compliance.Exception{Rule: "NIST.800.53.R5-S3DefaultEncryptionKMS",
			Reason: "S3 delivers server access logs only to buckets encrypted with SSE-S3; the access logs hold request metadata, not prompts."},
	)
	return bucket
}
