package accessrole_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/accessrole"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleNew() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Access")
	accessrole.New(stack, "Developers", accessrole.Props{
		RoleName:          "BedrockDeveloper",
		TrustedPrincipals: []string{"arn:aws:iam::111111111111:role/Developer"},
		RequireMFA:        true,
		MaxSessionHours:   4,
		ModelArns:         []string{"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"},
		SourceIPs:         []string{"203.0.113.0/24"},
	})

	tmpl := assertions.Template_FromStack(stack, nil)
	for _, r := range *tmpl.FindResources(jsii.String("AWS::IAM::Role"), nil) {
		props := (*r)["Properties"].(map[string]any)
		fmt.Println("role:", props["RoleName"], "session seconds:", props["MaxSessionDuration"])
	}
	for _, p := range *tmpl.FindResources(jsii.String("AWS::IAM::Policy"), nil) {
		for _, s := range (*p)["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := s.(map[string]any)
			fmt.Println(st["Effect"], st["Sid"])
		}
	}
	// Output:
	// role: BedrockDeveloper session seconds: 14400
	// Allow InvokeTheEnvironmentsModels
	// Allow ListModelsAndProfiles
	// Allow ReadTheEnvironmentsModels
	// Deny DenyBedrockFromOtherNetworks
	// Deny DenyBedrockApiKeys
	// Deny DenyCreatingBedrockApiKeys
}
