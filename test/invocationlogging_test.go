// Model invocation logging (constructs/invocationlogging): buckets, vault, Bedrock's access, the
// configuration handler, and the opt-out.

package test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/constructs/invocationlogging"
	"github.com/privatebedrock/stack/stacks/environment"
)

func TestInvocationLogBuckets(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		l := s.stack.Logging
		if l == nil {
			t.Skip("invocation logging is off")
		}
		keyArn := getAtt(logicalID(s, l.Key.Node().DefaultChild()), "Arn")
		lock := map[string]any{"ObjectLockEnabled": "Enabled", "Rule": map[string]any{
			"DefaultRetention": map[string]any{"Mode": "GOVERNANCE", "Days": s.env.InvocationLogging.ObjectLockDays},
		}}
		// Bedrock's writes carry no documented checksum, so only the vault has a default retention unless
		// the environment switches it on for the delivery bucket too.
		var deliveryLock any = assertions.Match_Absent()
		if s.env.InvocationLogging.ObjectLockOnDeliveryBucket {
			deliveryLock = lock
		}
		for _, b := range []struct {
			bucket       awss3.Bucket
			lock         any
			accessPrefix string
		}{{l.Bucket, deliveryLock, "invocation-log-bucket/"}, {l.Vault, lock, "invocation-log-vault/"}} {
			s.assert.HasResource(jsii.String("AWS::S3::Bucket"), map[string]any{
				"Properties": map[string]any{
					"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{map[string]any{
						"BucketKeyEnabled":              true,
						"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": keyArn},
					}}},
					"PublicAccessBlockConfiguration": map[string]any{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
					"VersioningConfiguration":        map[string]any{"Status": "Enabled"},
					"ObjectLockEnabled":              true,
					"ObjectLockConfiguration":        b.lock,
					"LoggingConfiguration":           map[string]any{"DestinationBucketName": resolved(s, l.AccessLogs.BucketName()), "LogFilePrefix": b.accessPrefix},
					"NotificationConfiguration":      map[string]any{"EventBridgeConfiguration": map[string]any{"EventBridgeEnabled": true}},
				},
			})
			if got := logicalID(s, b.bucket.Node().DefaultChild()); s.template.Resources[got].Properties["LoggingConfiguration"] == nil {
				t.Errorf("bucket %s writes no access logs", got)
			}
		}
		// Access logs are request metadata: kept as long as the other logs, then deleted.
		expect(t, "access-log bucket", map[string]any{"LifecycleConfiguration": map[string]any{"Rules": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"Status": "Enabled", "ExpirationInDays": s.env.LogRetentionDays}),
		})}}, s.template.Resources[logicalID(s, l.AccessLogs.Node().DefaultChild())].Properties)
		for _, id := range s.template.ofType("AWS::S3::Bucket") {
			p := s.template.Resources[id].Properties
			if p["PublicAccessBlockConfiguration"] == nil || p["VersioningConfiguration"] == nil || p["BucketEncryption"] == nil {
				t.Errorf("bucket %s lacks public access block, versioning or encryption", id)
			}
		}
		// Each bucket policy refuses plain HTTP to everyone, on the bucket and its objects.
		for _, id := range s.template.ofType("AWS::S3::BucketPolicy") {
			p := s.template.Resources[id].Properties
			bucket, _ := p["Bucket"].(map[string]any)
			bucketID, _ := bucket["Ref"].(string)
			expect(t, "bucket policy "+id, map[string]any{"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{
					"Effect": "Deny", "Principal": map[string]any{"AWS": "*"}, "Action": "s3:*",
					"Resource":  []any{getAtt(bucketID, "Arn"), objects(bucketID)},
					"Condition": assertions.Match_ObjectEquals(&map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}),
				}),
			})}}, p)
		}
	})
}

func TestBedrockMayWriteOnlyUnderThePrefixForThisAccountAndRegion(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		l := s.stack.Logging
		if l == nil {
			t.Skip("invocation logging is off")
		}
		conditions := map[string]any{
			"ArnLike":      map[string]any{"aws:SourceArn": "arn:aws:bedrock:" + s.env.Region + ":" + s.env.Account + ":*"},
			"StringEquals": map[string]any{"aws:SourceAccount": s.env.Account},
		}
		wantConditions := jsonOf(conditions)
		// Every statement that names Bedrock, in whatever form, grants what it needs for this account and
		// region, and nothing else.
		bedrockStatements := func(what string, policy any, want map[string]any) {
			want["Effect"] = "Allow"
			want["Principal"] = assertions.Match_ObjectEquals(&map[string]any{"Service": "bedrock.amazonaws.com"})
			want["Condition"] = assertions.Match_ObjectEquals(&conditions)
			var found bool
			for _, st := range statements(policy) {
				if strings.Contains(jsonOf(st["Principal"]), "bedrock.amazonaws.com") {
					found = true
					expect(t, "Bedrock's "+what+" statement", want, st)
				}
			}
			if !found {
				t.Errorf("no %s statement for bedrock.amazonaws.com", what)
			}
		}
		// Bedrock writes under the prefix of the delivery bucket.
		bucketID := logicalID(s, l.Bucket.Node().DefaultChild())
		bedrockStatements("bucket", s.template.Resources[logicalID(s, l.Bucket.Policy().Node().DefaultChild())].Properties["PolicyDocument"], map[string]any{
			"Action": "s3:PutObject", "Resource": map[string]any{"Fn::Join": []any{"", []any{getAtt(bucketID, "Arn"), "/" + s.env.InvocationLogging.S3KeyPrefix + "/*"}}},
		})
		// The key lets Bedrock generate data keys under the same conditions.
		bedrockStatements("key", s.template.Resources[logicalID(s, l.Key.Node().DefaultChild())].Properties["KeyPolicy"], map[string]any{
			"Action": "kms:GenerateDataKey", "Resource": "*",
		})
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

// TestDeliveryBucketReplicatesIntoTheVault checks the replication S3 performs into the locked vault and
// the role it uses: SSE-KMS replication as AWS documents it, Object Lock reads, deletes not replicated.
func TestDeliveryBucketReplicatesIntoTheVault(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		l := s.stack.Logging
		if l == nil {
			t.Skip("invocation logging is off")
		}
		keyArn := getAtt(logicalID(s, l.Key.Node().DefaultChild()), "Arn")
		roleID := logicalID(s, l.ReplicationRole.Node().DefaultChild())
		vaultID := logicalID(s, l.Vault.Node().DefaultChild())
		deliveryID := logicalID(s, l.Bucket.Node().DefaultChild())
		s.assert.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
			"ReplicationConfiguration": map[string]any{
				"Role": getAtt(roleID, "Arn"),
				"Rules": []any{map[string]any{
					"Id": "LockedCopyInVault", "Priority": 1, "Status": "Enabled",
					"Filter":                  map[string]any{"Prefix": s.env.InvocationLogging.S3KeyPrefix + "/"},
					"DeleteMarkerReplication": map[string]any{"Status": "Disabled"},
					"SourceSelectionCriteria": map[string]any{"SseKmsEncryptedObjects": map[string]any{"Status": "Enabled"}},
					"Destination": map[string]any{
						"Bucket":                  getAtt(vaultID, "Arn"),
						"EncryptionConfiguration": map[string]any{"ReplicaKmsKeyID": keyArn},
					},
				}},
			},
		})
		trust := statements(s.template.Resources[roleID].Properties["AssumeRolePolicyDocument"])
		if len(trust) != 1 || jsonOf(trust[0]["Principal"]) != `{"Service":"s3.amazonaws.com"}` ||
			jsonOf(trust[0]["Condition"]) != jsonOf(map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": s.env.Account}}) {
			t.Errorf("replication role trust %s, want S3 for this account only", jsonOf(trust))
		}
		keyUse := func(id string) map[string]any {
			return map[string]any{
				"StringEquals": map[string]any{"kms:ViaService": "s3." + s.env.Region + ".amazonaws.com"},
				"StringLike":   map[string]any{"kms:EncryptionContext:aws:s3:arn": []any{getAtt(id, "Arn"), objects(id)}},
			}
		}
		s.assert.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"Roles": []any{ref(roleID)},
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayEquals(&[]any{
				map[string]any{"Sid": "ReadReplicationConfiguration", "Effect": "Allow", "Action": []any{"s3:GetReplicationConfiguration", "s3:ListBucket"}, "Resource": getAtt(deliveryID, "Arn")},
				map[string]any{"Sid": "ReadSourceVersions", "Effect": "Allow", "Resource": objects(deliveryID), "Action": []any{
					"s3:GetObjectLegalHold", "s3:GetObjectRetention", "s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"}},
				map[string]any{"Sid": "WriteReplicas", "Effect": "Allow", "Action": []any{"s3:ReplicateObject", "s3:ReplicateTags"}, "Resource": objects(vaultID)},
				map[string]any{"Sid": "DecryptSource", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": keyArn, "Condition": keyUse(deliveryID)},
				map[string]any{"Sid": "EncryptReplicas", "Effect": "Allow", "Action": []any{"kms:Encrypt", "kms:GenerateDataKey"}, "Resource": keyArn, "Condition": keyUse(vaultID)},
			})},
		})
	})
}

// TestLoggingConfigurationHandler checks the custom resource that holds the account's logging
// configuration: its properties, what it waits for, and its handler's permissions.
func TestLoggingConfigurationHandler(t *testing.T) {
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		l := s.stack.Logging
		if l == nil {
			t.Skip("invocation logging is off")
		}
		il := s.env.InvocationLogging
		s.assert.HasResourceProperties(jsii.String(invocationlogging.ResourceType), map[string]any{
			"LogGroupName":      resolved(s, l.LogGroup.LogGroupName()),
			"DeliveryRoleArn":   resolved(s, l.DeliveryRole.RoleArn()),
			"BucketName":        resolved(s, l.Bucket.BucketName()),
			"KeyPrefix":         il.S3KeyPrefix,
			"TextDelivery":      il.TextDelivery,
			"ImageDelivery":     il.ImageDelivery,
			"EmbeddingDelivery": il.EmbeddingDelivery,
			"TakeOver":          il.TakeOverExistingConfiguration,
		})
		// The preflight recognises the stack's configuration by this name.
		if got, want := s.template.Resources[logicalID(s, l.LogGroup.Node().DefaultChild())].Properties["LogGroupName"], config.InvocationLogGroupName(*s.stack.StackName()); got != want {
			t.Errorf("invocation log group %v, want %s", got, want)
		}
		_, resource := s.template.only(t, invocationlogging.ResourceType)
		// It waits for everything Bedrock validates when the configuration is put, for the vault that
		// receives the permission-check object, and for the rest of the stack, so a failure elsewhere rolls
		// back before Bedrock writes anything.
		deps := resource.dependsOn()
		for _, c := range []constructs.IConstruct{
			l.Key, l.LogGroup, l.Bucket.Policy(), l.Vault, l.DeliveryRole.Node().FindChild(jsii.String("DefaultPolicy")),
			l.ReplicationRole.Node().FindChild(jsii.String("DefaultPolicy")),
			s.stack.Vpc.InterfaceEndpoints["bedrock"], s.stack.Vpc.S3Endpoint,
			s.stack.Invoker.Resource,
		} {
			if id := logicalID(s, c.Node().DefaultChild()); !slices.Contains(deps, id) {
				t.Errorf("logging configuration does not wait for %s; depends on %v", id, deps)
			}
		}
		// The handler: the three configuration actions and passing the delivery role to Bedrock only.
		handlerRole := l.Configuration.Node().Scope().Node().FindChild(jsii.String("HandlerRole")).(awsiam.Role)
		s.assert.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"Roles": []any{resolved(s, handlerRole.RoleName())},
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
				map[string]any{"Sid": "ModelInvocationLoggingConfiguration", "Effect": "Allow", "Resource": "*",
					"Action": []any{"bedrock:DeleteModelInvocationLoggingConfiguration", "bedrock:GetModelInvocationLoggingConfiguration", "bedrock:PutModelInvocationLoggingConfiguration"}},
				map[string]any{"Sid": "PassDeliveryRoleToBedrock", "Effect": "Allow", "Action": "iam:PassRole",
					"Resource":  getAtt(logicalID(s, l.DeliveryRole.Node().DefaultChild()), "Arn"),
					"Condition": map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "bedrock.amazonaws.com"}}},
			})},
		})
		s.assert.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
			"Role": getAtt(logicalID(s, handlerRole.Node().DefaultChild()), "Arn"), "Runtime": "provided.al2023",
			"Architectures": []any{"arm64"}, "Handler": "bootstrap", "Timeout": 300,
		})
		for _, id := range s.template.ofType("Custom::AWS") {
			if strings.Contains(jsonOf(s.template.Resources[id].Properties), "ModelInvocationLogging") {
				t.Errorf("AwsCustomResource %s still calls the logging configuration", id)
			}
		}
	})
}

// TestInvocationLoggingOptOut builds an environment that logs model invocations again with logging
// off: no logging resources, no Bedrock control-plane endpoint unless configured, and the rest of the
// stack unchanged.
func TestInvocationLoggingOptOut(t *testing.T) {
	env := envWhere(t, "logs model invocations", loggingEnabled).env
	env.InvocationLogging.Enabled = false
	// Access roles used inside the network bring the control-plane endpoint too.
	env.AccessRoles = nil
	s := environment.NewStaged(newApp(), environment.Props{Project: project, Environment: env})
	if s.Logging != nil {
		t.Fatal("logging construct created although disabled")
	}
	tmpl := newSynthesized(env, s).template
	if ids := tmpl.ofType(invocationlogging.ResourceType); len(ids) > 0 {
		t.Errorf("logging configuration %v although disabled", ids)
	}
	for _, id := range tmpl.ofType("AWS::S3::Bucket") {
		if strings.HasPrefix(id, "InvocationLogging") {
			t.Errorf("invocation-log bucket %s although logging is disabled", id)
		}
	}
	_, ok := endpoints(tmpl)["bedrock"]
	if configured := slices.Contains(env.InterfaceEndpoints, "bedrock"); ok != configured {
		t.Errorf("bedrock endpoint: %v, want it only where configured (%v): nothing else calls it", ok, configured)
	}
	if _, ok := endpoints(tmpl)["bedrock-runtime"]; !ok {
		t.Error("no bedrock-runtime endpoint")
	}
}
