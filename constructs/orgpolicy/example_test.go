package orgpolicy_test

import (
	"fmt"
	"strings"

	"github.com/privatebedrock/stack/constructs/orgpolicy"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleNew() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1 (the management account).
	_, stack := cdktest.Stack("Policies")
	assign := func(v any) map[string]any { return map[string]any{"@@assign": v} }
	bedrock := func(excluded []string) map[string]any {
		return map[string]any{"bedrock": map[string]any{"guardrail_inference": map[string]any{"us-east-1": map[string]any{"config_1": map[string]any{
			"identifier":        assign("arn:aws:bedrock:us-east-1:111111111111:guardrail/abcdefghijkl:1"),
			"model_enforcement": map[string]any{"included_models": assign([]string{"ALL"}), "excluded_models": assign(excluded)},
		}}}}}
	}
	p := orgpolicy.New(stack, "Guardrail", orgpolicy.Props{
		Type:     orgpolicy.BedrockPolicy,
		Name:     "guardrail",
		Document: bedrock([]string{"amazon.titan-embed-text-v2:0"}),
		Targets:  []string{"ou-abcd-11111111"},
		Shrink:   "exclude fewer models",
	})
	fmt.Println(p.Content)
	fmt.Println(*p.Resource.Type(), len(p.Content), "characters")

	// A document Organizations would refuse for its size fails the synthesis.
	var many []string
	for i := range 600 {
		many = append(many, fmt.Sprintf("provider.model-%d", i))
	}
	large := orgpolicy.New(stack, "TooLarge", orgpolicy.Props{Type: orgpolicy.BedrockPolicy, Name: "too-large",
		Document: bedrock(many), Targets: []string{"222222222222"}, Shrink: "exclude fewer models"})
	for _, m := range *large.Resource.Node().Metadata() {
		if *m.Type == "aws:cdk:error" {
			fmt.Println(strings.Replace(fmt.Sprint(m.Data), fmt.Sprint(len(large.Content)), "N", 1))
		}
	}
	// Output:
	// {"bedrock":{"guardrail_inference":{"us-east-1":{"config_1":{"identifier":{"@@assign":"arn:aws:bedrock:us-east-1:111111111111:guardrail/abcdefghijkl:1"},"model_enforcement":{"excluded_models":{"@@assign":["amazon.titan-embed-text-v2:0"]},"included_models":{"@@assign":["ALL"]}}}}}}}
	// BEDROCK_POLICY 281 characters
	// Amazon Bedrock policy too-large is N characters as minified JSON, more than the 10000 Organizations accepts: exclude fewer models
}
