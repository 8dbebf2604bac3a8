package test

import (
	"slices"
	"testing"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/stacks"
)

// statefulTypes are resources whose replacement loses data or makes it unreadable.
var statefulTypes = []string{"AWS::KMS::Key", "AWS::S3::Bucket", "AWS::Logs::LogGroup"}

// TestConfigurationChangesKeepStatefulResources changes dev the way users do and checks that every key,
// bucket and log group keeps its logical ID, so an update never replaces it.
func TestConfigurationChangesKeepStatefulResources(t *testing.T) {
	base := envs["dev"]
	changes := map[string]func(e *config.Environment){
		"add-model":     func(e *config.Environment) { e.Models = append(e.Models, "amazon.nova-lite-v1:0") },
		"retention":     func(e *config.Environment) { e.LogRetentionDays = 731 },
		"add-zone":      func(e *config.Environment) { e.AvailabilityZones = append(e.AvailabilityZones, e.Region+"c") },
		"deny-endpoint": func(e *config.Environment) { e.EndpointPolicyEffect = "Deny" },
		"lock-delivery": func(e *config.Environment) { e.InvocationLogging.ObjectLockOnDeliveryBucket = true },
		"take-over":     func(e *config.Environment) { e.InvocationLogging.TakeOverExistingConfiguration = true },
		"reserve":       func(e *config.Environment) { e.InvokerReservedConcurrency = 5 },
	}
	app := newApp()
	changed := map[string]*stacks.Stack{}
	for name, change := range changes {
		env := base.env
		env.AvailabilityZones = slices.Clone(env.AvailabilityZones)
		env.Models = slices.Clone(env.Models)
		env.Name = name
		change(&env)
		changed[name] = stacks.New(app, stacks.Props{Project: project, Environment: env})
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

func statefulIDs(tmpl Template) []string {
	var ids []string
	for _, typ := range statefulTypes {
		ids = append(ids, tmpl.ofType(typ)...)
	}
	return ids
}

func TestProdRetainsStatefulResources(t *testing.T) {
	prod := envs["prod"]
	for _, id := range statefulIDs(prod.template) {
		if r := prod.template.Resources[id]; r.DeletionPolicy != "RetainExceptOnCreate" || r.UpdateReplace != "Retain" {
			t.Errorf("prod %s %s has DeletionPolicy %q UpdateReplacePolicy %q, want RetainExceptOnCreate and Retain", r.Type, id, r.DeletionPolicy, r.UpdateReplace)
		}
	}
	if len(statefulIDs(prod.template)) < 5 {
		t.Errorf("prod has only %v stateful resources", statefulIDs(prod.template))
	}
}
