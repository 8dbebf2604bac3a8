package invocationlogging

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/compliance"
	"github.com/privatebedrock/stack/constructs/rolepath"
	"github.com/privatebedrock/stack/constructs/securebucket"
)

// logBucketProps are what the delivery bucket and the vault share: the stack's bucket protections with
// the invocation logs' key, and the same lifecycle. Object Lock is enabled on both, so the delivery
// bucket's default retention can be switched on later without replacing the bucket.
func logBucketProps(key awskms.Key, accessLogs awss3.Bucket, accessLogPrefix string, props Props) *awss3.BucketProps {
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
	bp := securebucket.Props(key, accessLogs, accessLogPrefix, props.RemovalPolicy)
	bp.LifecycleRules = &[]*awss3.LifecycleRule{lifecycle}
	return bp
}

// governance is the default retention of locked buckets. Governance mode, not compliance: logs hold
// prompts, which may hold personal data that a privacy request obliges you to erase, and only governance
// mode lets a specially permitted principal do that.
func governance(days int) awss3.ObjectLockRetention {
	return awss3.ObjectLockRetention_Governance(awscdk.Duration_Days(jsii.Number(float64(days))))
}

// newVault holds the locked copy of every log object. S3 applies a bucket's default retention to each
// object version written to it, replicas included, and replication is S3's own write, so the lock does
// not depend on how Bedrock writes.
func newVault(scope constructs.Construct, key awskms.Key, accessLogs awss3.Bucket, props Props) awss3.Bucket {
	bp := logBucketProps(key, accessLogs, "invocation-log-vault/", props)
	bp.ObjectLockDefaultRetention = governance(props.ObjectLockDays)
	vault := securebucket.New(scope, "Vault", bp)
	compliance.AcceptNag(vault, compliance.Exception{Rule: "NIST.800.53.R5-S3BucketReplicationEnabled",
		Reason: "This bucket is the replica: the delivery bucket replicates every log object into it, under Object Lock. Copies to another region are an organisation decision (a central log archive)."})
	return vault
}

// newDeliveryBucket is where Bedrock writes. S3 refuses a PUT into a bucket with a default retention
// unless it carries Content-MD5 or a checksum header, and AWS does not document whether Bedrock's writer
// sends one, so by default this bucket has no default retention and replicates every object under the
// prefix into the vault. LockDeliveryBucket adds the retention here too, for accounts that verified it.
func newDeliveryBucket(scope constructs.Construct, key awskms.Key, accessLogs, vault awss3.Bucket, replication awsiam.IRole, props Props) awss3.Bucket {
	bp := logBucketProps(key, accessLogs, "invocation-log-bucket/", props)
	if props.LockDeliveryBucket {
		bp.ObjectLockDefaultRetention = governance(props.ObjectLockDays)
	}
	bp.ReplicationRole = replication
	bp.ReplicationRules = &[]*awss3.ReplicationRule{{
		Id:                      jsii.String("LockedCopyInVault"),
		Destination:             vault,
		Priority:                jsii.Number(1),
		Filter:                  &awss3.Filter{Prefix: jsii.String(props.KeyPrefix + "/")},
		SseKmsEncryptedObjects:  jsii.Bool(true),
		KmsKey:                  key,
		DeleteMarkerReplication: jsii.Bool(false),
	}}
	return securebucket.New(scope, "Bucket", bp)
}

// newReplicationRole is the role S3 replicates with, written out rather than CDK's generated one: CDK's
// lacks the Object Lock reads a locked source needs, and this one adds the key conditions AWS documents
// for SSE-KMS replication (only through S3, only for these two buckets). Deletes are not replicated.
func newReplicationRole(scope constructs.Construct) awsiam.Role {
	stack := awscdk.Stack_Of(scope)
	return awsiam.NewRole(scope, jsii.String("ReplicationRole"), &awsiam.RoleProps{
		Description: jsii.String("Assumed by S3 to copy invocation logs into the Object Lock vault"),
		Path:        rolepath.Of(scope),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("s3.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()}},
		}),
	})
}

// grantReplication lets the replication role read the delivery bucket and write the vault.
func grantReplication(role awsiam.Role, key awskms.Key, delivery, vault awss3.Bucket) {
	viaS3 := "s3." + *awscdk.Stack_Of(role).Region() + ".amazonaws.com"
	keyUse := func(bucket awss3.Bucket) *map[string]any {
		return &map[string]any{
			"StringEquals": map[string]any{"kms:ViaService": viaS3},
			// With S3 Bucket Keys the encryption context is the bucket ARN, without them the object ARN.
			"StringLike": map[string]any{"kms:EncryptionContext:aws:s3:arn": []*string{bucket.BucketArn(), bucket.ArnForObjects(jsii.String("*"))}},
		}
	}
	for _, st := range []*awsiam.PolicyStatementProps{
		{Sid: jsii.String("ReadReplicationConfiguration"), Actions: jsii.Strings("s3:GetReplicationConfiguration", "s3:ListBucket"),
			Resources: &[]*string{delivery.BucketArn()}},
		{Sid: jsii.String("ReadSourceVersions"), Actions: jsii.Strings("s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl",
			"s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"),
			Resources: &[]*string{delivery.ArnForObjects(jsii.String("*"))}},
		{Sid: jsii.String("WriteReplicas"), Actions: jsii.Strings("s3:ReplicateObject", "s3:ReplicateTags"),
			Resources: &[]*string{vault.ArnForObjects(jsii.String("*"))}},
		{Sid: jsii.String("DecryptSource"), Actions: jsii.Strings("kms:Decrypt"), Resources: &[]*string{key.KeyArn()}, Conditions: keyUse(delivery)},
		{Sid: jsii.String("EncryptReplicas"), Actions: jsii.Strings("kms:Encrypt", "kms:GenerateDataKey"), Resources: &[]*string{key.KeyArn()}, Conditions: keyUse(vault)},
	} {
		role.AddToPolicy(awsiam.NewPolicyStatement(st))
	}
	compliance.AcceptNag(role,
		compliance.Exception{Rule: "AwsSolutions-IAM5", Reason: "Replication reads and writes every object version of exactly two buckets (the delivery bucket and its vault), as S3 replication requires; the key use is limited to S3 and these buckets.",
			AppliesTo: []string{compliance.ArnFinding(delivery, "/*"), compliance.ArnFinding(vault, "/*")}},
		compliance.Exception{Rule: "NIST.800.53.R5-IAMNoInlinePolicy", Reason: "The policy belongs to this one role and lists only the replication actions on the two log buckets and their key."},
	)
}
