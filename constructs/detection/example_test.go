package detection_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/alerttopic"
	"github.com/privatebedrock/stack/constructs/detection"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleNew() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Monitoring")
	alerts := alerttopic.New(stack, "Alerts", alerttopic.Props{Emails: []string{"ops@example.com"}})
	d := detection.New(stack, "Detection", detection.Props{
		Topic:    alerts,
		ModelIDs: []string{"anthropic.claude-3-haiku-20240307-v1:0"},
		// Five throttled calls in five minutes are worth a look here; the default is 10.
		ThrottlesPerFiveMinutes: 5,
	})

	for _, row := range d.Table() {
		fmt.Println(row.Kind, row.Name)
	}
	tmpl := assertions.Template_FromStack(stack, nil)
	fmt.Println("alarms:", len(*tmpl.FindResources(jsii.String("AWS::CloudWatch::Alarm"), nil)),
		"rules:", len(*tmpl.FindResources(jsii.String("AWS::Events::Rule"), nil)))
	// Output:
	// alarm InvocationClientErrors
	// alarm InvocationServerErrors
	// alarm InvocationThrottles
	// alarm UndeliveredAlerts
	// rule InvocationLoggingChanges
	// rule GuardrailChanges
	// rule CloudTrailChanges
	// alarms: 4 rules: 3
}
