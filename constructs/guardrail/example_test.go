package guardrail_test

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/guardrail"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleNew() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1.
	_, stack := cdktest.Stack("Assistant")
	g := guardrail.New(stack, "Guardrail", guardrail.Props{
		Name:        "support-assistant",
		PIIEntities: []guardrail.PIIEntity{{Type: "EMAIL", Action: "ANONYMIZE"}},
		DeniedTopics: []guardrail.Topic{{
			Name: "Investment advice", Definition: "Recommendations on what to invest in.",
		}},
		BlockedInputMessage:  "Sorry, I cannot answer that.",
		BlockedOutputMessage: "Sorry, I cannot answer that.",
	})
	// The roles that invoke models with the guardrail may apply it.
	appRole := awsiam.NewRole(stack, jsii.String("AppRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
	})
	g.GrantApply(appRole)

	tmpl := assertions.Template_FromStack(stack, nil)
	for _, r := range *tmpl.FindResources(jsii.String("AWS::Bedrock::Guardrail"), nil) {
		props := (*r)["Properties"].(map[string]any)
		fmt.Println("guardrail:", props["Name"], "encrypted:", props["KmsKeyArn"] != nil)
		fmt.Println("content filters:", len(props["ContentPolicyConfig"].(map[string]any)["FiltersConfig"].([]any)))
	}
	fmt.Println("versions:", len(*tmpl.FindResources(jsii.String("AWS::Bedrock::GuardrailVersion"), nil)))
	fmt.Println("enforced in the account:", g.Enforcement != nil)
	// Output:
	// guardrail: support-assistant encrypted: true
	// content filters: 6
	// versions: 1
	// enforced in the account: false
}
