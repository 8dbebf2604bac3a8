// Keys and log groups (constructs/cmk): rotation, key policies, encryption and retention.

package test

import (
	"strings"
	"testing"
)

func TestEveryKeyRotatesAndDeniesGrantsNotForAwsResources(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		for _, id := range s.template.ofType("AWS::KMS::Key") {
			p := s.template.Resources[id].Properties
			if p["EnableKeyRotation"] != true {
				t.Errorf("key %s does not rotate", id)
			}
			policy := jsonOf(p["KeyPolicy"])
			if !strings.Contains(policy, `"Action":"kms:CreateGrant","Condition":{"BoolIfExists":{"aws:PrincipalIsAWSService":"false","kms:GrantIsForAWSResource":"false"}},"Effect":"Deny"`) {
				t.Errorf("key %s does not deny grants that are not for AWS resources: %s", id, policy)
			}
			// CloudWatch Logs may use the key only for named log groups.
			for _, st := range statements(p["KeyPolicy"]) {
				if strings.Contains(jsonOf(st["Principal"]), "logs.") && !strings.Contains(jsonOf(st["Condition"]), "kms:EncryptionContext:aws:logs:arn") {
					t.Errorf("key %s lets CloudWatch Logs use it for any log group: %s", id, jsonOf(st))
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
