package accessrole

import (
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
)

func TestInvalidPropsNameThePropAndTheFix(t *testing.T) {
	valid := func() Props {
		return Props{RoleName: "BedrockExecutionRole", TrustedPrincipals: []string{"arn:aws:iam::111111111111:user/DeveloperUser"},
			ModelArns: []string{"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"}, SourceIPs: []string{"198.51.100.0/24"}}
	}
	if err := valid().validate(); err != nil {
		t.Fatalf("valid props refused: %v", err)
	}
	cases := []struct {
		name string
		edit func(*Props)
		want string
	}{
		{"role name IAM refuses", func(p *Props) { p.RoleName = "a role" }, `Props.RoleName "a role" is not an IAM role name`},
		{"nobody trusted", func(p *Props) { p.TrustedPrincipals = nil }, "Props.TrustedPrincipals and Props.TrustedServices are empty"},
		{"wildcard principal", func(p *Props) { p.TrustedPrincipals = []string{"arn:aws:iam::111111111111:role/*"} }, "no wildcards"},
		{"malformed service", func(p *Props) { p.TrustedServices = []string{"ec2"} }, `Props.TrustedServices has "ec2", not a service principal`},
		{"MFA for services only", func(p *Props) {
			p.TrustedPrincipals, p.TrustedServices, p.RequireMFA = nil, []string{"ec2.amazonaws.com"}, true
		}, "only services are trusted"},
		{"session too long", func(p *Props) { p.MaxSessionHours = 13 }, "Props.MaxSessionHours 13 is outside what IAM accepts"},
		{"no models", func(p *Props) { p.ModelArns = nil }, "Props.ModelArns is empty"},
		{"guardrail version without guardrail", func(p *Props) {
			p.GuardrailVersionedArn = jsii.String("arn:aws:bedrock:us-east-1:111111111111:guardrail/x:1")
		}, "Props.GuardrailVersionedArn is set without Props.GuardrailArn"},
		{"no network", func(p *Props) { p.SourceIPs = nil }, "name the networks the role may call from, or set Props.AnyNetwork deliberately"},
		{"any network and named ones", func(p *Props) { p.AnyNetwork = true }, "choose any network or the named ones"},
		{"unbounded source block", func(p *Props) { p.SourceIPs = []string{"0.0.0.0/0"} }, `Props.SourceIPs has "0.0.0.0/0", not a bounded CIDR block`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := valid()
			c.edit(&p)
			if err := p.validate(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
