package cmk_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleNew() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Data")
	cmk.New(stack, "ReportKey", cmk.Props{Description: "Encrypts the monthly usage reports"})

	tmpl := assertions.Template_FromStack(stack, nil)
	for _, key := range *tmpl.FindResources(jsii.String("AWS::KMS::Key"), nil) {
		props := (*key)["Properties"].(map[string]any)
		fmt.Println("rotation:", props["EnableKeyRotation"], "pending window:", props["PendingWindowInDays"], "deletion:", (*key)["DeletionPolicy"])
		for _, s := range props["KeyPolicy"].(map[string]any)["Statement"].([]any) {
			if sid, ok := s.(map[string]any)["Sid"]; ok {
				fmt.Println("key policy:", sid)
			}
		}
	}
	// Output:
	// rotation: true pending window: 30 deletion: Retain
	// key policy: DenyGrantsNotForAwsResources
}
