package environment

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/constructs/guardrail"
	"github.com/privatebedrock/stack/stacks/internal/guardrailprops"
)

// newGuardrail turns the environment's guardrail section into the construct's props.
func newGuardrail(stack awscdk.Stack, g config.Guardrail, removal awscdk.RemovalPolicy) *guardrail.Guardrail {
	props := guardrailprops.Of(*stack.StackName(), "Guards every model call of "+*stack.StackName(), g.GuardrailFilters)
	props.EnforceInAccount = g.EnforceInAccount
	props.RemovalPolicy = removal
	return guardrail.New(stack, "Guardrail", props)
}
