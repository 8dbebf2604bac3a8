package securebucket_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/securebucket"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleNew() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Reports")
	accessLogs := securebucket.NewAccessLogBucket(stack, "AccessLogs", 365, awscdk.RemovalPolicy_RETAIN)
	key := cmk.New(stack, "ReportKey", cmk.Props{Description: "Encrypts the monthly usage reports"})
	props := securebucket.Props(key, accessLogs, "reports/", awscdk.RemovalPolicy_RETAIN)
	props.LifecycleRules = &[]*awss3.LifecycleRule{{Expiration: awscdk.Duration_Days(jsii.Number(730))}}
	securebucket.New(stack, "Reports", props)

	tmpl := assertions.Template_FromStack(stack, nil)
	count := func(resourceType string, props map[string]any) int {
		return len(*tmpl.FindResources(jsii.String(resourceType), map[string]any{"Properties": props}))
	}
	fmt.Println("buckets:", count("AWS::S3::Bucket", nil))
	fmt.Println("with ACLs:", count("AWS::S3::Bucket", map[string]any{"AccessControl": assertions.Match_AnyValue()}))
	fmt.Println("logging to reports/:", count("AWS::S3::Bucket", map[string]any{
		"LoggingConfiguration": map[string]any{"LogFilePrefix": "reports/"},
	}))
	fmt.Println("policies admitting S3 log delivery:", count("AWS::S3::BucketPolicy", map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Principal": map[string]any{"Service": "logging.s3.amazonaws.com"},
			"Action":    "s3:PutObject",
		})})},
	}))
	// Output:
	// buckets: 2
	// with ACLs: 0
	// logging to reports/: 1
	// policies admitting S3 log delivery: 1
}
