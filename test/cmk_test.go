// Keys and log groups (constructs/cmk): rotation, key policies, encryption and retention.

package test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

func TestEveryKeyRotatesAndDeniesGrantsNotForAwsResources(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		// A grant must be for an AWS resource (Control Tower CT.KMS.PR.3).
		denyGrants := map[string]any{
			"EnableKeyRotation": true,
			"KeyPolicy": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Effect": "Deny", "Principal": map[string]any{"AWS": "*"}, "Action": "kms:CreateGrant", "Resource": "*",
				"Condition": assertions.Match_ObjectEquals(&map[string]any{"BoolIfExists": map[string]any{
					"aws:PrincipalIsAWSService": "false", "kms:GrantIsForAWSResource": "false",
				}}),
			})})},
		}
		// CloudWatch Logs may use a key only for a named log group of this account and region.
		namedLogGroup := map[string]any{"Condition": assertions.Match_ObjectEquals(&map[string]any{"ArnEquals": map[string]any{
			"kms:EncryptionContext:aws:logs:arn": assertions.Match_StringLikeRegexp(jsii.String(
				"^arn:" + s.env.Partition() + ":logs:" + s.env.Region + ":" + s.env.Account + ":log-group:[^*]+$")),
		}})}
		for _, id := range s.template.ofType("AWS::KMS::Key") {
			p := s.template.Resources[id].Properties
			expect(t, "key "+id, denyGrants, p)
			for _, st := range statements(p["KeyPolicy"]) {
				// Any statement that names CloudWatch Logs, in whatever form.
				if strings.Contains(jsonOf(st["Principal"]), "logs.") {
					expect(t, "key "+id+": CloudWatch Logs statement", namedLogGroup, st)
				}
			}
		}
	})
}

func TestEveryLogGroupIsEncryptedAndRetained(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		groups := s.template.ofType("AWS::Logs::LogGroup")
		want := 3 // flow logs, invoker, deploy-time calls
		if s.env.InvocationLogging.Enabled {
			want += 2 // invocation logs, configuration handler
		}
		if len(groups) != want {
			t.Errorf("log groups %v, want %d", groups, want)
		}
		for _, id := range groups {
			p := s.template.Resources[id].Properties
			if p["KmsKeyId"] == nil || p["RetentionInDays"] != float64(s.env.LogRetentionDays) {
				t.Errorf("log group %s: key %v, retention %v; want a key and %d days", id, p["KmsKeyId"], p["RetentionInDays"], s.env.LogRetentionDays)
			}
		}
	})
}
