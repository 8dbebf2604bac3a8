package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/internal/checklist"
)

// checkAlarms confirms every alarm the configuration implies exists, named <stack>-<alarm>, and notifies
// the alert topic.
func checkAlarms(ctx context.Context, api *cloudwatch.Client, env config.Environment, d *deployment) checklist.Row {
	const name = "Alarms"
	topic, missing := d.output(name, outputAlertTopic)
	if missing != nil {
		return *missing
	}
	actions := map[string][]string{}
	for p := cloudwatch.NewDescribeAlarmsPaginator(api, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(d.stack + "-")}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return command.Unchecked(name, "", err)
		}
		for _, a := range page.MetricAlarms {
			actions[aws.ToString(a.AlarmName)] = a.AlarmActions
		}
	}
	var absent, silent []string
	expected := env.AlarmNames()
	for _, alarm := range expected {
		switch got, ok := actions[d.stack+"-"+alarm]; {
		case !ok:
			absent = append(absent, alarm)
		case !slices.Contains(got, topic):
			silent = append(silent, alarm)
		}
	}
	var problems []string
	if len(absent) > 0 {
		problems = append(problems, "missing: "+strings.Join(absent, ", "))
	}
	if len(silent) > 0 {
		problems = append(problems, "not notifying the alert topic: "+strings.Join(silent, ", "))
	}
	if len(problems) > 0 {
		return checklist.Fail(name, fmt.Sprintf("of the %d alarms %s-<name> the configuration implies, %s", len(expected), d.stack, strings.Join(problems, "; ")),
			"if environments.json changed since the last deployment, deploy it ("+deployCommand(env, d.stack)+"); otherwise find out who "+
				"deleted or changed them (CloudTrail: DeleteAlarms, PutMetricAlarm) and restore them")
	}
	return checklist.Pass(name, fmt.Sprintf("all %d alarms the configuration implies exist and notify the alert topic", len(expected)))
}
