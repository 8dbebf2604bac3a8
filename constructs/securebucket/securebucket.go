// Package securebucket gives the stack's S3 buckets one set of protections that pass the Control Tower
// S3 controls, so a new bucket cannot quietly have fewer, and makes the access-log bucket they log to.
package securebucket

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
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
// retention and replication. Create the bucket, then call NotifyEventBridge.
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
