// Detection and notification (constructs/alerttopic, constructs/detection) and the prompt store
// (constructs/promptstore).

package test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/detection"
)

func TestAlertTopicIsEncryptedTLSOnlyAndSubscribed(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		topic := logicalID(s, s.stack.Alerts.Resource.Node().DefaultChild())
		s.assert.HasResourceProperties(jsii.String("AWS::SNS::Topic"), map[string]any{
			"KmsMasterKeyId": getAtt(logicalID(s, s.stack.Alerts.Key.Node().DefaultChild()), "Arn"),
		})
		s.assert.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), map[string]any{
			"Topics": []any{ref(topic)},
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Effect": "Deny", "Action": "sns:Publish", "Principal": "*",
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			})})},
		})
		var endpoints []string
		for _, id := range s.template.ofType("AWS::SNS::Subscription") {
			if p := s.template.Resources[id].Properties; jsonOf(p["TopicArn"]) == jsonOf(ref(topic)) {
				endpoints = append(endpoints, p["Endpoint"].(string))
			}
		}
		want := append(slices.Clone(s.env.Alerts.Emails), s.env.Alerts.HTTPSEndpoints...)
		if !slices.Equal(sorted(endpoints), sorted(want)) {
			t.Errorf("subscriptions %v, want %v", endpoints, want)
		}
	})
}

// TestEveryAlarmNotifiesTheTopic: an alarm without an action, or with missing data left to chance, is a
// silent alarm.
func TestEveryAlarmNotifiesTheTopic(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		action := ref(logicalID(s, s.stack.Alerts.Resource.Node().DefaultChild()))
		alarms := s.template.ofType("AWS::CloudWatch::Alarm")
		if len(alarms) < 6 {
			t.Fatalf("alarms %v", alarms)
		}
		for _, id := range alarms {
			p := s.template.Resources[id].Properties
			if jsonOf(p["AlarmActions"]) != jsonOf([]any{action}) || p["TreatMissingData"] == nil {
				t.Errorf("alarm %s: actions %s, missing data %v; want the topic and a deliberate treatment", id, jsonOf(p["AlarmActions"]), p["TreatMissingData"])
			}
		}
		// The thresholds are the configuration's counts, at which the alarms fire.
		counts := s.env.Alerts.Counts()
		for name, count := range map[string]float64{detection.PromptAttacks: counts.PromptAttacks, detection.GuardrailInterventions: counts.GuardrailInterventions,
			detection.FunctionAccessDenied: counts.AccessDenied, detection.InvocationThrottles: counts.Throttles} {
			alarm, ok := s.stack.Detection.Alarms[name]
			if !ok {
				t.Errorf("no %s alarm", name)
				continue
			}
			p := s.template.Resources[logicalID(s, alarm.Node().DefaultChild())].Properties
			if p["Threshold"] != count || p["ComparisonOperator"] != "GreaterThanOrEqualToThreshold" {
				t.Errorf("%s fires at %v %v, want %v or more", name, p["ComparisonOperator"], p["Threshold"], count)
			}
		}
	})
}

// TestSecurityRelevantChangesReachTheTopic checks one rule per kind of change, each targeting the topic.
func TestSecurityRelevantChangesReachTheTopic(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		// Rules name the topic by ARN, not Ref: aws-cdk-lib's SNS target would add an unconditioned grant.
		topic := "arn:aws:sns:" + s.env.Region + ":" + s.env.Account + ":" + *s.stack.StackName() + "-alerts"
		for _, name := range []string{detection.InvocationLoggingChanges, detection.GuardrailChanges, detection.BucketChanges, detection.EndpointChanges, detection.KeyChanges} {
			rule, ok := s.stack.Detection.Rules[name]
			if !ok {
				t.Errorf("no %s rule", name)
				continue
			}
			p := s.template.Resources[logicalID(s, rule.Node().DefaultChild())].Properties
			pattern := jsonOf(p["EventPattern"])
			if !strings.Contains(pattern, `"AWS API Call via CloudTrail"`) || !matches(assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"Arn": topic})}), p["Targets"]) {
				t.Errorf("%s: pattern %s, targets %s; want CloudTrail API calls to the topic", name, pattern, jsonOf(p["Targets"]))
			}
		}
		// The endpoint rule watches this endpoint, the key rule this stack's keys.
		endpoint := s.template.Resources[logicalID(s, s.stack.Detection.Rules[detection.EndpointChanges].Node().DefaultChild())].Properties
		if !strings.Contains(jsonOf(endpoint["EventPattern"]), jsonOf(ref(logicalID(s, s.stack.Endpoint.Resource.Node().DefaultChild())))) {
			t.Errorf("endpoint rule %s does not name the endpoint", jsonOf(endpoint["EventPattern"]))
		}
	})
}

// TestREADMEAlertTable: the README's table of what fires and what to do is the code's.
func TestREADMEAlertTable(t *testing.T) {
	readmeBlock(t, "alert table", "TestREADMEAlertTable", detection.Markdown(envs[names[0]].stack.Detection.Table()))
}

// TestPromptStoreReadersAndAdministrators: callers read, administrators write, nobody else.
func TestPromptStoreReadersAndAdministrators(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		if s.stack.Prompts == nil {
			t.Skip("no prompt store")
		}
		bucket := logicalID(s, s.stack.Prompts.Bucket.Node().DefaultChild())
		s.assert.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
			"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{map[string]any{
				"BucketKeyEnabled":              true,
				"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": getAtt(logicalID(s, s.stack.Prompts.Key.Node().DefaultChild()), "Arn")},
			}}},
			"VersioningConfiguration": map[string]any{"Status": "Enabled"},
			"LoggingConfiguration":    assertions.Match_ObjectLike(&map[string]any{"LogFilePrefix": "prompt-store/"}),
		})
		var policy []map[string]any
		for _, id := range s.template.ofType("AWS::S3::BucketPolicy") {
			if p := s.template.Resources[id].Properties; jsonOf(p["Bucket"]) == jsonOf(ref(bucket)) {
				policy = statements(p["PolicyDocument"])
			}
		}
		writers := map[string]bool{}
		for _, st := range policy {
			if st["Effect"] != "Allow" {
				continue
			}
			principals := strs(st["Principal"].(map[string]any)["AWS"])
			for _, a := range strs(st["Action"]) {
				if a == "s3:PutObject" || a == "s3:DeleteObject" {
					for _, p := range principals {
						writers[p] = true
					}
				}
			}
		}
		if got := slices.Sorted(maps.Keys(writers)); !slices.Equal(got, sorted(s.env.PromptStore.Administrators)) {
			t.Errorf("writers %v, want the administrators %v", got, s.env.PromptStore.Administrators)
		}
		for _, reader := range s.env.ClientPrincipals {
			if !strings.Contains(jsonOf(policy), reader) {
				t.Errorf("client principal %s may not read prompts", reader)
			}
		}
	})
}

// TestAlarmNamesOfTheConfiguration: what commands read from the configuration (verify) is what the
// stack makes.
func TestAlarmNamesOfTheConfiguration(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		var made []string
		for _, row := range s.stack.Detection.Table() {
			if row.Kind == "alarm" {
				made = append(made, row.Name)
			}
		}
		if want := s.env.AlarmNames(); !slices.Equal(made, want) {
			t.Errorf("the stack makes alarms %v, config.AlarmNames says %v", made, want)
		}
	})
}
