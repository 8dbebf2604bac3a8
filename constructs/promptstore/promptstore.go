// Package promptstore creates the S3 bucket where an organisation keeps its shared prompts: encrypted with
// a key of its own, with the protections of every data bucket of the stack, readable by the principals
// that call Bedrock and writable by named prompt administrators only.
package promptstore

import (
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/compliance"
	"github.com/privatebedrock/stack/constructs/securebucket"
)

// Props configures the prompt store.
type Props struct {
	// AccessLogs receives the bucket's server access logs. Required.
	AccessLogs awss3.IBucket
	// Readers are IAM role or user ARNs that may read prompts; more with GrantRead. Default: none.
	Readers []string
	// Administrators are IAM role or user ARNs that may also write and delete prompts. Default: none, and
	// then nobody writes but through the account's own IAM administrators.
	Administrators []string
	// RemovalPolicy of the key and bucket. Default: RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
}

func (p Props) validate() error {
	if p.AccessLogs == nil {
		return errors.New("Props.AccessLogs is nil: give the stack's access-log bucket")
	}
	return nil
}

// Store is what New made.
type Store struct {
	constructs.Construct
	Key    awskms.Key
	Bucket awss3.Bucket
}

// New creates the store.
func New(scope constructs.Construct, id string, props Props) *Store {
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("promptstore %q: %v", id, err))
	}
	if props.RemovalPolicy == "" {
		props.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	s := &Store{Construct: c}
	s.Key = cmk.New(c, "Key", cmk.Props{
		Description:   "Encrypts the shared prompts of " + *awscdk.Stack_Of(c).StackName(),
		RemovalPolicy: props.RemovalPolicy,
	})
	bp := securebucket.Props(s.Key, props.AccessLogs, "prompt-store/", props.RemovalPolicy)
	bp.LifecycleRules = &[]*awss3.LifecycleRule{{
		Id:                                  jsii.String("Prompts"),
		AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
		// Earlier versions of a prompt stay a quarter for review, then go.
		NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(90)),
	}}
	s.Bucket = securebucket.New(c, "Bucket", bp)
	for _, arn := range props.Readers {
		s.GrantRead(awsiam.NewArnPrincipal(jsii.String(arn)))
	}
	for _, arn := range props.Administrators {
		s.grant(awsiam.NewArnPrincipal(jsii.String(arn)), append(slices.Clone(readActions), writeActions...), "kms:Decrypt", "kms:GenerateDataKey")
	}
	compliance.AcceptNag(s.Bucket, compliance.Exception{Rule: "NIST.800.53.R5-S3BucketReplicationEnabled",
		Reason: "Shared prompts are versioned and recoverable in place; copies to another region are an organisation decision (a central archive)."})
	return s
}

// Named actions, where aws-cdk-lib's bucket grants use wildcards (s3:GetObject*, s3:List*).
var (
	readActions  = []string{"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"}
	writeActions = []string{"s3:PutObject", "s3:DeleteObject"}
)

// GrantRead lets grantee read prompts and decrypt them with the store's key.
func (s *Store) GrantRead(grantee awsiam.IGrantable) awsiam.Grant {
	return s.grant(grantee, readActions, "kms:Decrypt")
}

// grant gives grantee the S3 actions on the bucket and its prompts (in its own policy, or in the bucket
// policy for principals the stack cannot change) and the KMS actions on the key.
func (s *Store) grant(grantee awsiam.IGrantable, actions []string, keyActions ...string) awsiam.Grant {
	g := awsiam.Grant_AddToPrincipalOrResource(&awsiam.GrantWithResourceOptions{
		Grantee:      grantee,
		Actions:      jsii.Strings(actions...),
		ResourceArns: &[]*string{s.Bucket.BucketArn(), s.Bucket.ArnForObjects(jsii.String("*"))},
		Resource:     s.Bucket,
	})
	return g.Combine(s.Key.Grant(grantee, *jsii.Strings(keyActions...)...))
}
