// One environment's stack (stacks/): name, tags, termination protection, outputs, removal policies.

package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/config"
)

func TestStackTagsProtectionAndOutputs(t *testing.T) {
	envWhere(t, "is termination-protected", func(e config.Environment) bool { return e.TerminationProtection })
	envWhere(t, "is not termination-protected", func(e config.Environment) bool { return !e.TerminationProtection })
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		if got := *s.stack.StackName(); got != project+"-"+s.env.Name {
			t.Errorf("stack name %s", got)
		}
		if got := s.stack.TerminationProtection() != nil && *s.stack.TerminationProtection(); got != s.env.TerminationProtection {
			t.Errorf("termination protection %v in %s, configured %v", got, s.env.Name, s.env.TerminationProtection)
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

func TestStatefulResourcesFollowTheRemovalPolicy(t *testing.T) {
	envWhere(t, "retains its data", func(e config.Environment) bool { return e.RemovalPolicy == config.Retain })
	envWhere(t, "destroys its data", func(e config.Environment) bool { return e.RemovalPolicy == config.Destroy })
	forEachEnv(t, func(t *testing.T, s *synthesized) {
		// Retained data survives updates and deletion, but not the rollback of a failed first create,
		// which would leave named resources behind and make the retry fail with "already exists".
		deletion, replace := "RetainExceptOnCreate", "Retain"
		if s.env.RemovalPolicy == config.Destroy {
			deletion, replace = "Delete", "Delete"
		}
		// At least the network's key and the flow-log, function and deploy-time log groups; logging adds
		// its key, two log groups and three buckets.
		want := 4
		if s.env.InvocationLogging.Enabled {
			want += 6
		}
		if ids := statefulIDs(s.template); len(ids) < want {
			t.Errorf("only %v stateful resources, want at least %d", ids, want)
		}
		for _, id := range statefulIDs(s.template) {
			r := s.template.Resources[id]
			if r.DeletionPolicy != deletion || r.UpdateReplace != replace {
				t.Errorf("%s %s: DeletionPolicy %q UpdateReplacePolicy %q, want %q and %q", r.Type, id, r.DeletionPolicy, r.UpdateReplace, deletion, replace)
			}
		}
	})
}
