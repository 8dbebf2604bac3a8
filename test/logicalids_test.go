// Update safety: configuration changes keep the logical IDs of stateful resources.

package test

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/stacks/environment"
)

// TestConfigurationChangesKeepStatefulResources changes an environment the way users change theirs and
// checks that every key, bucket and log group keeps its logical ID, so an update never replaces it. The
// environment logs model invocations, so that the logging changes change its stack.
func TestConfigurationChangesKeepStatefulResources(t *testing.T) {
	base := envWhere(t, "logs model invocations", loggingEnabled)
	changes := map[string]func(e *config.Environment){
		"add-model": func(e *config.Environment) { e.Models = append(e.Models, "amazon.nova-lite-v1:0") },
		"retention": func(e *config.Environment) { e.LogRetentionDays = 731 },
		"add-zone": func(e *config.Environment) {
			for c := 'a'; ; c++ {
				if zone := e.Region + string(c); !slices.Contains(e.AvailabilityZones, zone) {
					e.AvailabilityZones = append(e.AvailabilityZones, zone)
					return
				}
			}
		},
		"deny-endpoint":   func(e *config.Environment) { e.EndpointPolicyEffect = "Deny" },
		"lock-delivery":   func(e *config.Environment) { e.InvocationLogging.ObjectLockOnDeliveryBucket = true },
		"take-over":       func(e *config.Environment) { e.InvocationLogging.TakeOverExistingConfiguration = true },
		"reserve":         func(e *config.Environment) { e.InvokerReservedConcurrency = 5 },
		"alert-threshold": func(e *config.Environment) { three := 3.0; e.Alerts.PromptAttacks = &three },
		"guardrail-edit": func(e *config.Environment) {
			e.Guardrail.PIIEntities = append(slices.Clone(e.Guardrail.PIIEntities), config.PIIEntity{Type: "NAME", Action: "ANONYMIZE"})
		},
	}
	app := newApp()
	changed := map[string]*environment.Stack{}
	for name, change := range changes {
		env := base.env
		env.AvailabilityZones = slices.Clone(env.AvailabilityZones)
		env.Models = slices.Clone(env.Models)
		env.Guardrail.PIIEntities = slices.Clone(env.Guardrail.PIIEntities)
		env.Name = name
		change(&env)
		unchanged := base.env
		unchanged.Name = name
		if reflect.DeepEqual(env, unchanged) {
			t.Fatalf("%s changes nothing in %s: base the test on another environment", name, base.env.Name)
		}
		changed[name] = environment.NewStaged(app, environment.Props{Project: project, Environment: env})
	}
	want := statefulIDs(base.template)
	for name, s := range changed {
		t.Run(name, func(t *testing.T) {
			got := statefulIDs(newSynthesized(base.env, s).template)
			if !slices.Equal(got, want) {
				t.Errorf("stateful logical IDs changed:\n got %v\nwant %v", got, want)
			}
		})
	}
}

// TestGuardrailEditMintsANewVersion: guardrail versions are immutable, so an edit must create a new
// version resource and move every reference to it in the same deployment, while the guardrail itself, a
// stateful resource callers name, keeps its logical ID.
func TestGuardrailEditMintsANewVersion(t *testing.T) {
	base := envWhere(t, "has a guardrail enforced in the account", func(e config.Environment) bool {
		return e.Guardrail.Enabled && e.Guardrail.EnforceInAccount
	})
	env := base.env
	env.Guardrail.PIIEntities = append(slices.Clone(env.Guardrail.PIIEntities), config.PIIEntity{Type: "NAME", Action: "ANONYMIZE"})
	edited := newSynthesized(env, environment.NewStaged(newApp(), environment.Props{Project: project, Environment: env})).template

	oldGuardrail, _ := base.template.only(t, "AWS::Bedrock::Guardrail")
	newGuardrail, _ := edited.only(t, "AWS::Bedrock::Guardrail")
	if oldGuardrail != newGuardrail {
		t.Errorf("the guardrail was replaced: %s became %s", oldGuardrail, newGuardrail)
	}
	oldVersion, _ := base.template.only(t, "AWS::Bedrock::GuardrailVersion")
	newVersion, _ := edited.only(t, "AWS::Bedrock::GuardrailVersion")
	if oldVersion == newVersion {
		t.Fatalf("the edit kept version %s: the new configuration would never be published", oldVersion)
	}
	// Every reference moved: the old version is named nowhere, the new one where the old one was.
	for id, r := range edited.Resources {
		if text := jsonOf(r); strings.Contains(text, oldVersion) {
			t.Errorf("%s still refers to the old version %s", id, oldVersion)
		}
	}
	for _, typ := range []string{"AWS::Bedrock::EnforcedGuardrailConfiguration", "AWS::IAM::Policy", "AWS::EC2::VPCEndpoint", "AWS::Lambda::Function"} {
		for _, id := range base.template.ofType(typ) {
			if strings.Contains(jsonOf(base.template.Resources[id]), oldVersion) && !strings.Contains(jsonOf(edited.Resources[id]), newVersion) {
				t.Errorf("%s %s named the old version but does not name the new one", typ, id)
			}
		}
	}
	// An edit elsewhere keeps the version.
	other := base.env
	other.LogRetentionDays = 731
	untouched := newSynthesized(other, environment.NewStaged(newApp(), environment.Props{Project: project, Environment: other})).template
	if id, _ := untouched.only(t, "AWS::Bedrock::GuardrailVersion"); id != oldVersion {
		t.Errorf("a retention change minted version %s (was %s)", id, oldVersion)
	}
}
