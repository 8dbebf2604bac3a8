package config

import (
	"slices"
	"testing"
)

func TestInterfaceEndpointServices(t *testing.T) {
	cases := []struct {
		name    string
		extra   []string
		logging bool
		want    []string
	}{
		{"minimal", nil, false, []string{"bedrock-runtime", "ec2"}},
		{"logs when configured", []string{"logs"}, false, []string{"bedrock-runtime", "ec2", "logs"}},
		{"logging adds the control plane", nil, true, []string{"bedrock", "bedrock-runtime", "ec2"}},
		{"configured and implied endpoints appear once", []string{"sts", "bedrock", "ec2"}, true, []string{"bedrock", "bedrock-runtime", "ec2", "sts"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := Environment{InterfaceEndpoints: c.extra, InvocationLogging: InvocationLogging{Enabled: c.logging}}
			if got := e.InterfaceEndpointServices(); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestNamesToolsLookFor(t *testing.T) {
	if got := StackName("private-bedrock", "dev"); got != "private-bedrock-dev" {
		t.Errorf("StackName = %q", got)
	}
	if got := InvocationLogGroupName("private-bedrock-dev"); got != "/private-bedrock-dev/bedrock-model-invocations" {
		t.Errorf("InvocationLogGroupName = %q", got)
	}
}

func TestAlarmNamesFollowTheSections(t *testing.T) {
	var e Environment
	e.Guardrail.Enabled, e.InvocationLogging.Enabled = true, true
	always := []string{"InvocationClientErrors", "InvocationServerErrors", "InvocationThrottles", "FunctionAccessDenied", "UndeliveredAlerts"}
	if got, want := e.AlarmNames(), append([]string{"GuardrailInterventions", "PromptAttacks", "SensitiveInformation"}, always...); !slices.Equal(got, want) {
		t.Errorf("with guardrail and logging: %v, want %v", got, want)
	}
	e.Guardrail.Enabled, e.InvocationLogging.Enabled = false, false
	if got := e.AlarmNames(); !slices.Equal(got, always) {
		t.Errorf("without: %v, want %v", got, always)
	}
}
