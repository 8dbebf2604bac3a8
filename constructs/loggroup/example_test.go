package loggroup_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/cmk"
	"github.com/privatebedrock/stack/constructs/loggroup"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleNew() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Reports")
	loggroup.New(stack, "AuditLogs", loggroup.Props{
		Name:      "/reports/audit",
		Key:       cmk.New(stack, "LogKey", cmk.Props{Description: "Encrypts the audit logs"}),
		Retention: awslogs.RetentionDays_ONE_YEAR,
	})

	tmpl := assertions.Template_FromStack(stack, nil)
	for _, group := range *tmpl.FindResources(jsii.String("AWS::Logs::LogGroup"), nil) {
		props := (*group)["Properties"].(map[string]any)
		fmt.Println(props["LogGroupName"], "retention:", props["RetentionInDays"], "encrypted:", props["KmsKeyId"] != nil)
	}
	// The key admits CloudWatch Logs for this log group only.
	for _, key := range *tmpl.FindResources(jsii.String("AWS::KMS::Key"), nil) {
		for _, s := range (*key)["Properties"].(map[string]any)["KeyPolicy"].(map[string]any)["Statement"].([]any) {
			if st := s.(map[string]any); st["Sid"] == "CloudWatchLogsreportsaudit" {
				fmt.Println(st["Sid"], st["Principal"])
			}
		}
	}
	// Output:
	// /reports/audit retention: 365 encrypted: true
	// CloudWatchLogsreportsaudit map[Service:logs.us-east-1.amazonaws.com]
}
