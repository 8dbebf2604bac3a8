package alerttopic_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/alerttopic"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleNew() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Monitoring")
	topic := alerttopic.New(stack, "Alerts", alerttopic.Props{Emails: []string{"ops@example.com"}})
	// Alarms and EventBridge rules notify the topic through AlarmAction and RuleTarget.
	alarm := awscloudwatch.NewAlarm(stack, jsii.String("LambdaErrors"), &awscloudwatch.AlarmProps{
		Metric: awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/Lambda"), MetricName: jsii.String("Errors"), Statistic: jsii.String("Sum"),
		}),
		Threshold:         jsii.Number(10),
		EvaluationPeriods: jsii.Number(1),
	})
	alarm.AddAlarmAction(topic.AlarmAction())

	tmpl := assertions.Template_FromStack(stack, nil)
	for _, t := range *tmpl.FindResources(jsii.String("AWS::SNS::Topic"), nil) {
		props := (*t)["Properties"].(map[string]any)
		fmt.Println("topic:", props["TopicName"], "encrypted:", props["KmsMasterKeyId"] != nil)
	}
	for _, s := range *tmpl.FindResources(jsii.String("AWS::SNS::Subscription"), nil) {
		props := (*s)["Properties"].(map[string]any)
		fmt.Println("subscriber:", props["Protocol"], props["Endpoint"], "dead letters kept:", props["RedrivePolicy"] != nil)
	}
	fmt.Println("alarms notifying it:", len(*tmpl.FindResources(jsii.String("AWS::CloudWatch::Alarm"), nil)))
	// Output:
	// topic: Monitoring-alerts encrypted: true
	// subscriber: email ops@example.com dead letters kept: true
	// alarms notifying it: 1
}
