package compliance_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/compliance"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func Example() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Jobs")
	queue := awssqs.NewQueue(stack, jsii.String("RetryQueue"), &awssqs.QueueProps{EnforceSSL: jsii.Bool(true)})
	compliance.AcceptNag(queue, compliance.Exception{Rule: "AwsSolutions-SQS3",
		Reason: "This queue is itself the dead-letter queue of the job queue."})
	compliance.AcceptControl(queue.Node().DefaultChild().(awscdk.CfnResource), "CT.SQS.PR.1",
		"This queue is itself the dead-letter queue of the job queue.")

	tmpl := assertions.Template_FromStack(stack, nil)
	for _, q := range *tmpl.FindResources(jsii.String("AWS::SQS::Queue"), nil) {
		metadata := (*q)["Metadata"].(map[string]any)
		for _, rule := range metadata["cdk_nag"].(map[string]any)["rules_to_suppress"].([]any) {
			fmt.Println("cdk-nag:", rule.(map[string]any)["id"])
		}
		for _, rule := range metadata["guard"].(map[string]any)["SuppressedRules"].([]any) {
			fmt.Println("Control Tower:", rule.(map[string]any)["id"])
		}
	}
	// Output:
	// cdk-nag: AwsSolutions-SQS3
	// Control Tower: CT.SQS.PR.1
}
