// Update safety: configuration changes keep the logical IDs of stateful resources.

package test

import (
	"reflect"
	"slices"
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
		"deny-endpoint": func(e *config.Environment) { e.EndpointPolicyEffect = "Deny" },
		"lock-delivery": func(e *config.Environment) { e.InvocationLogging.ObjectLockOnDeliveryBucket = true },
		"take-over":     func(e *config.Environment) { e.InvocationLogging.TakeOverExistingConfiguration = true },
		"reserve":       func(e *config.Environment) { e.InvokerReservedConcurrency = 5 },
	}
	app := newApp()
	changed := map[string]*environment.Stack{}
	for name, change := range changes {
		env := base.env
		env.AvailabilityZones = slices.Clone(env.AvailabilityZones)
		env.Models = slices.Clone(env.Models)
		env.Name = name
		change(&env)
		unchanged := base.env
		unchanged.Name = name
		if reflect.DeepEqual(env, unchanged) {
			t.Fatalf("%s changes nothing in %s: base the test on another environment", name, base.env.Name)
		}
		changed[name] = environment.New(app, environment.Props{Project: project, Environment: env})
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
