package invocationlogging

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/compliance"
)

// newLogBucket holds the invocation logs. Object Lock runs in governance mode, not compliance: logs
// hold prompts, which may hold personal data that a privacy request obliges you to erase, and only
// governance mode lets a specially permitted principal do that.
func newLogBucket(scope constructs.Construct, key awskms.Key, accessLogs awss3.Bucket, props Props) awss3.Bucket {
	lifecycle := &awss3.LifecycleRule{
		Id:                                  jsii.String("InvocationLogs"),
		AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
		NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(float64(props.ObjectLockDays + 1))),
	}
	if props.ArchiveAfterDays > 0 {
		lifecycle.Transitions = &[]*awss3.Transition{{
			StorageClass:    awss3.StorageClass_GLACIER_INSTANT_RETRIEVAL(),
			TransitionAfter: awscdk.Duration_Days(jsii.Number(float64(props.ArchiveAfterDays))),
		}}
	}
	if props.ExpireAfterDays > 0 {
		lifecycle.Expiration = awscdk.Duration_Days(jsii.Number(float64(props.ExpireAfterDays)))
	}
	bucket := awss3.NewBucket(scope, jsii.String("Bucket"), &awss3.BucketProps{
		Encryption:                 awss3.BucketEncryption_KMS,
		EncryptionKey:              key,
		BucketKeyEnabled:           jsii.Bool(true),
		BlockPublicAccess:          awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:                 jsii.Bool(true),
		MinimumTLSVersion:          jsii.Number(1.2),
		Versioned:                  jsii.Bool(true),
		ObjectOwnership:            awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		ObjectLockEnabled:          jsii.Bool(true),
		ObjectLockDefaultRetention: awss3.ObjectLockRetention_Governance(awscdk.Duration_Days(jsii.Number(float64(props.ObjectLockDays)))),
		ServerAccessLogsBucket:     accessLogs,
		ServerAccessLogsPrefix:     jsii.String("invocation-log-bucket/"),
		LifecycleRules:             &[]*awss3.LifecycleRule{lifecycle},
		RemovalPolicy:              props.RemovalPolicy,
	})
	notifyEventBridge(bucket)
	return bucket
}

// newAccessLogBucket receives the log bucket's server access logs. S3 delivers access logs with
// SSE-S3 only, so this bucket cannot use the KMS key.
func newAccessLogBucket(scope constructs.Construct, removal awscdk.RemovalPolicy) awss3.Bucket {
	bucket := awss3.NewBucket(scope, jsii.String("AccessLogs"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		Versioned:         jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                          jsii.String("AccessLogs"),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(30)),
		}},
		RemovalPolicy: removal,
	})
	notifyEventBridge(bucket)
	cfn := bucket.Node().DefaultChild().(awss3.CfnBucket)
	compliance.AcceptControl(cfn, "CT.S3.PR.10", "Destination of S3 server access logs, which S3 delivers only to buckets with SSE-S3 default encryption. It holds request metadata, not prompts or completions, and is encrypted (SSE-S3), TLS-only and closed to the public.")
	compliance.AcceptControl(cfn, "CT.S3.PR.2", "Terminal destination of the log bucket's server access logs: logging it to itself would loop, and to another bucket would only move the gap. Only the S3 logging service writes to it.")
	compliance.AcceptControl(cfn, "CT.S3.PR.9", "S3 delivers server access logs only to buckets without an Object Lock default retention and sets no retention per object, so Object Lock would protect nothing; versioning keeps overwritten or deleted logs for 30 days.")
	return bucket
}

// notifyEventBridge sends the bucket's events to EventBridge (Control Tower CT.S3.PR.4) through the L1
// property: the L2 eventBridgeEnabled adds a notification-configuring function outside the VPC.
func notifyEventBridge(bucket awss3.Bucket) {
	cfn := bucket.Node().DefaultChild().(awss3.CfnBucket)
	cfn.SetNotificationConfiguration(&awss3.CfnBucket_NotificationConfigurationProperty{
		EventBridgeConfiguration: &awss3.CfnBucket_EventBridgeConfigurationProperty{EventBridgeEnabled: jsii.Bool(true)},
	})
}
