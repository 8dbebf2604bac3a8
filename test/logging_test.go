package test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/stacks"
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
			want++
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

func TestInvocationLogBuckets(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		l := s.stack.Logging
		if l == nil {
			t.Skip("invocation logging is off")
		}
		keyArn := getAtt(logicalID(s, l.Key.Node().DefaultChild()), "Arn")
		s.assert.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
			"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{map[string]any{
				"BucketKeyEnabled":              true,
				"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": keyArn},
			}}},
			"PublicAccessBlockConfiguration": map[string]any{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
			"VersioningConfiguration":        map[string]any{"Status": "Enabled"},
			"ObjectLockEnabled":              true,
			"ObjectLockConfiguration": map[string]any{"ObjectLockEnabled": "Enabled", "Rule": map[string]any{
				"DefaultRetention": map[string]any{"Mode": "GOVERNANCE", "Days": s.env.InvocationLogging.ObjectLockDays},
			}},
			"LoggingConfiguration":      map[string]any{"DestinationBucketName": resolved(s, l.AccessLogs.BucketName())},
			"NotificationConfiguration": map[string]any{"EventBridgeConfiguration": map[string]any{"EventBridgeEnabled": true}},
		})
		for _, id := range s.template.ofType("AWS::S3::Bucket") {
			p := s.template.Resources[id].Properties
			if p["PublicAccessBlockConfiguration"] == nil || p["VersioningConfiguration"] == nil || p["BucketEncryption"] == nil {
				t.Errorf("bucket %s lacks public access block, versioning or encryption", id)
			}
		}
		// Each bucket policy refuses plain HTTP.
		for _, id := range s.template.ofType("AWS::S3::BucketPolicy") {
			doc := jsonOf(s.template.Resources[id].Properties["PolicyDocument"])
			if !strings.Contains(doc, `"Condition":{"Bool":{"aws:SecureTransport":"false"}},"Effect":"Deny"`) {
				t.Errorf("bucket policy %s allows plain HTTP: %s", id, doc)
			}
		}
	})
}

func TestBedrockMayWriteOnlyUnderThePrefixForThisAccountAndRegion(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		l := s.stack.Logging
		if l == nil {
			t.Skip("invocation logging is off")
		}
		wantConditions := jsonOf(map[string]any{
			"ArnLike":      map[string]any{"aws:SourceArn": "arn:aws:bedrock:" + s.env.Region + ":" + s.env.Account + ":*"},
			"StringEquals": map[string]any{"aws:SourceAccount": s.env.Account},
		})
		policyID := logicalID(s, l.Bucket.Policy().Node().DefaultChild())
		var found bool
		for _, st := range statements(s.template.Resources[policyID].Properties["PolicyDocument"]) {
			if !strings.Contains(jsonOf(st["Principal"]), "bedrock.amazonaws.com") {
				continue
			}
			found = true
			resource := jsonOf(st["Resource"])
			if jsonOf(st["Condition"]) != wantConditions || jsonOf(st["Action"]) != `"s3:PutObject"` ||
				!strings.Contains(resource, `"/`+s.env.InvocationLogging.S3KeyPrefix+`/*"`) {
				t.Errorf("Bedrock's bucket statement %s, want s3:PutObject under the prefix with %s", jsonOf(st), wantConditions)
			}
		}
		if !found {
			t.Error("no bucket statement for bedrock.amazonaws.com")
		}
		// The key lets Bedrock generate data keys under the same conditions.
		keyID := logicalID(s, l.Key.Node().DefaultChild())
		var keyStatement map[string]any
		for _, st := range statements(s.template.Resources[keyID].Properties["KeyPolicy"]) {
			if strings.Contains(jsonOf(st["Principal"]), "bedrock.amazonaws.com") {
				keyStatement = st
			}
		}
		if jsonOf(keyStatement["Condition"]) != wantConditions || jsonOf(keyStatement["Action"]) != `"kms:GenerateDataKey"` {
			t.Errorf("Bedrock's key statement %s", jsonOf(keyStatement))
		}
		// The delivery role trusts Bedrock for this account and region, and writes one log stream.
		roleID := logicalID(s, l.DeliveryRole.Node().DefaultChild())
		trust := statements(s.template.Resources[roleID].Properties["AssumeRolePolicyDocument"])
		if len(trust) != 1 || jsonOf(trust[0]["Condition"]) != wantConditions {
			t.Errorf("delivery role trust %s", jsonOf(trust))
		}
		s.assert.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"Roles": []any{ref(roleID)},
			"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
				"Sid": "WriteInvocationLogStream", "Effect": "Allow",
				"Action":   []any{"logs:CreateLogStream", "logs:PutLogEvents"},
				"Resource": "arn:aws:logs:" + s.env.Region + ":" + s.env.Account + ":log-group:/" + *s.stack.StackName() + "/bedrock-model-invocations:log-stream:aws/bedrock/modelinvocations",
			}}},
		})
	})
}

func TestLoggingConfigurationCall(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		l := s.stack.Logging
		if l == nil {
			t.Skip("invocation logging is off")
		}
		callID := logicalID(s, l.Configuration.Node().FindChild(jsii.String("Resource")).Node().DefaultChild())
		call := s.template.Resources[callID]
		create, update, del := jsonOf(call.Properties["Create"]), jsonOf(call.Properties["Update"]), jsonOf(call.Properties["Delete"])
		for name, c := range map[string]string{"Create": create, "Update": update} {
			for _, want := range []string{`\"service\":\"bedrock\"`, `\"action\":\"PutModelInvocationLoggingConfiguration\"`,
				`\"largeDataDeliveryS3Config\"`, `\"textDataDeliveryEnabled\":true`, `\"s3Config\"`, `\"cloudWatchConfig\"`} {
				if !strings.Contains(c, want) {
					t.Errorf("%s call lacks %s: %s", name, want, c)
				}
			}
			if strings.Contains(c, "videoDataDeliveryEnabled") {
				t.Errorf("%s call sets a flag older SDKs reject: %s", name, c)
			}
		}
		if !strings.Contains(del, "DeleteModelInvocationLoggingConfiguration") {
			t.Errorf("Delete call %s", del)
		}
		// The call waits for everything Bedrock validates when the configuration is put.
		deps := call.dependsOn()
		for _, c := range []string{
			logicalID(s, l.Key.Node().DefaultChild()), logicalID(s, l.Bucket.Policy().Node().DefaultChild()),
			logicalID(s, l.DeliveryRole.Node().DefaultChild()), logicalID(s, l.LogGroup.Node().DefaultChild()),
			logicalID(s, s.stack.Vpc.InterfaceEndpoints["bedrock"].Node().DefaultChild()),
			logicalID(s, s.stack.Vpc.S3Endpoint.Node().DefaultChild()),
		} {
			if !slices.Contains(deps, c) {
				t.Errorf("logging configuration does not wait for %s; depends on %v", c, deps)
			}
		}
		var roleDefaultPolicy []string
		for _, d := range deps {
			if strings.Contains(d, "DeliveryRoleDefaultPolicy") {
				roleDefaultPolicy = append(roleDefaultPolicy, d)
			}
		}
		if len(roleDefaultPolicy) != 1 {
			t.Errorf("logging configuration does not wait for the delivery role's permissions: %v", deps)
		}
		// Its policy: the three configuration actions and passing the delivery role to Bedrock only.
		s.assert.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayEquals(&[]any{
				map[string]any{"Sid": "ModelInvocationLoggingConfiguration", "Effect": "Allow", "Resource": "*",
					"Action": []any{"bedrock:DeleteModelInvocationLoggingConfiguration", "bedrock:GetModelInvocationLoggingConfiguration", "bedrock:PutModelInvocationLoggingConfiguration"}},
				map[string]any{"Sid": "PassDeliveryRoleToBedrock", "Effect": "Allow", "Action": "iam:PassRole",
					"Resource":  getAtt(logicalID(s, l.DeliveryRole.Node().DefaultChild()), "Arn"),
					"Condition": map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "bedrock.amazonaws.com"}}},
			})},
		})
	})
}

func TestStatefulResourcesFollowTheRemovalPolicy(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		want := "Retain"
		if s.env.RemovalPolicy == "destroy" {
			want = "Delete"
		}
		for _, typ := range []string{"AWS::KMS::Key", "AWS::Logs::LogGroup", "AWS::S3::Bucket"} {
			for _, id := range s.template.ofType(typ) {
				r := s.template.Resources[id]
				if r.DeletionPolicy != want || r.UpdateReplace != want {
					t.Errorf("%s %s: DeletionPolicy %q UpdateReplacePolicy %q, want %q", typ, id, r.DeletionPolicy, r.UpdateReplace, want)
				}
			}
		}
	})
}

func TestStackTagsProtectionAndOutputs(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		if got := *s.stack.StackName(); got != project+"-"+s.env.Name {
			t.Errorf("stack name %s", got)
		}
		if got := s.stack.TerminationProtection() != nil && *s.stack.TerminationProtection(); got != (s.env.Name == "prod") {
			t.Errorf("termination protection %v in %s", got, s.env.Name)
		}
		s.assert.HasResourceProperties(jsii.String("AWS::EC2::VPC"), map[string]any{"Tags": assertions.Match_ArrayWith(&[]any{
			map[string]any{"Key": "environment", "Value": s.env.Name}, map[string]any{"Key": "project", "Value": project},
		})})
		for _, o := range []string{"VpcId", "BedrockRuntimeEndpointId", "BedrockRuntimeEndpointSecurityGroupId", "InvokerSecurityGroupId", "InvokerFunctionName", "InvokerRoleArn"} {
			if s.template.Outputs[o] == nil {
				t.Errorf("no output %s", o)
			}
		}
	})
}

// TestInvocationLoggingOptOut builds dev with invocation logging off: no logging resources, no Bedrock
// control-plane endpoint unless configured, and the rest of the stack unchanged.
func TestInvocationLoggingOptOut(t *testing.T) {
	env := envs["dev"].env
	env.InvocationLogging.Enabled = false
	s := stacks.New(newApp(), stacks.Props{Project: project, Environment: env})
	if s.Logging != nil {
		t.Fatal("logging construct created although disabled")
	}
	tmpl := newSynthesized(env, s).template
	for _, id := range tmpl.ofType("Custom::AWS") {
		if strings.Contains(jsonOf(tmpl.Resources[id].Properties["Create"]), "ModelInvocationLogging") {
			t.Errorf("logging configuration call %s although disabled", id)
		}
	}
	if ids := tmpl.ofType("AWS::S3::Bucket"); len(ids) > 0 {
		t.Errorf("buckets %v although logging is disabled", ids)
	}
	if _, ok := endpoints(tmpl)["bedrock"]; ok {
		t.Error("bedrock control-plane endpoint although nothing calls it")
	}
	if _, ok := endpoints(tmpl)["bedrock-runtime"]; !ok {
		t.Error("no bedrock-runtime endpoint")
	}
}
