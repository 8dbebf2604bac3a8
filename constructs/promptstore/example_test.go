package promptstore_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/promptstore"
	"github.com/privatebedrock/stack/constructs/securebucket"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleNew() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Prompts")
	store := promptstore.New(stack, "PromptStore", promptstore.Props{
		AccessLogs:     securebucket.NewAccessLogBucket(stack, "AccessLogs", 365, awscdk.RemovalPolicy_RETAIN),
		Readers:        []string{"arn:aws:iam::111111111111:role/Developer"},
		Administrators: []string{"arn:aws:iam::111111111111:role/PromptAdministrator"},
	})

	tmpl := assertions.Template_FromStack(stack, nil)
	for _, p := range *tmpl.FindResources(jsii.String("AWS::S3::BucketPolicy"), nil) {
		props := (*p)["Properties"].(map[string]any)
		if props["Bucket"].(map[string]any)["Ref"] != cdktest.LogicalID(store.Bucket) {
			continue
		}
		for _, s := range props["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			if st := s.(map[string]any); st["Effect"] == "Allow" {
				fmt.Println(st["Principal"].(map[string]any)["AWS"], st["Action"])
			}
		}
	}
	// Output:
	// arn:aws:iam::111111111111:role/Developer [s3:GetObject s3:GetObjectVersion s3:ListBucket]
	// arn:aws:iam::111111111111:role/PromptAdministrator [s3:GetObject s3:GetObjectVersion s3:ListBucket s3:PutObject s3:DeleteObject]
}
