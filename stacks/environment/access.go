package environment

import (
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/config"
	"github.com/privatebedrock/stack/constructs/accessrole"
)

// notAlphanumeric is what construct and output IDs drop from a role name.
var notAlphanumeric = regexp.MustCompile(`[^A-Za-z0-9]`)

// accessRoles creates the environment's access roles and admits them where their sessions call: the
// bedrock-runtime endpoint and, for callers inside the network, the sts endpoint they assume the role
// through.
func (s *Stack) accessRoles(env config.Environment, enforcedGuardrails []string) {
	s.AccessRoles = map[string]*accessrole.Role{}
	var throughEndpoints []*string
	for _, r := range env.AccessRoles {
		props := accessrole.Props{
			RoleName:                r.Name,
			Description:             r.Description,
			TrustedPrincipals:       r.TrustedPrincipals,
			TrustedServices:         r.TrustedServices,
			RequireMFA:              r.RequireMFA,
			RequireSourceIdentity:   r.RequireSourceIdentity,
			MaxSessionHours:         r.SessionHours(),
			ModelArns:               env.ModelArns(),
			SourceIPs:               r.Network.SourceIPs,
			AnyNetwork:              r.Network.Anywhere,
			MarketplaceSubscription: r.MarketplaceSubscription,
			EnforcedGuardrailArns:   enforcedGuardrails,
		}
		if r.Network.Endpoint {
			// Invocations arrive through bedrock-runtime, profile listing through the control plane.
			props.SourceVpces = []*string{s.Endpoint.Resource.VpcEndpointId(), s.Vpc.InterfaceEndpoints["bedrock"].VpcEndpointId()}
		}
		guarded := s.Guardrail != nil && r.GuardrailAware
		if s.Guardrail != nil {
			props.GuardrailArn = s.Guardrail.Arn
			if guarded && env.Guardrail.EnforceInIAM {
				props.GuardrailVersionedArn = s.Guardrail.VersionedArn
			}
		}
		role := accessrole.New(s.Stack, "AccessRole"+notAlphanumeric.ReplaceAllString(r.Name, ""), props)
		if guarded && env.Guardrail.EnforceAtEndpoint {
			s.Endpoint.AdmitWithGuardrail(role.Resource)
		} else {
			s.Endpoint.Admit(role.Resource)
		}
		s.AccessRoles[r.Name] = role
		if r.Network.Endpoint {
			throughEndpoints = append(throughEndpoints, role.Resource.RoleArn())
		}
	}
	if len(throughEndpoints) > 0 {
		// The sts endpoint admits only this account's principals; people of an identity account assume
		// these roles through it too, and each role's trust policy decides who may.
		s.Vpc.InterfaceEndpoints["sts"].AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AssumeTheAccessRoles"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
			Actions:    jsii.Strings("sts:AssumeRole", "sts:SetSourceIdentity"),
			Resources:  &throughEndpoints,
		}))
	}
}

// AccessRoleOutput is the stack output that holds the ARN of the access role named name.
func AccessRoleOutput(name string) string {
	return "AccessRole" + notAlphanumeric.ReplaceAllString(name, "") + "Arn"
}

// accessRoleOutputs points from each access role to the command that prints its client settings.
func (s *Stack) accessRoleOutputs(env config.Environment) {
	for _, r := range env.AccessRoles {
		awscdk.NewCfnOutput(s.Stack, jsii.String(AccessRoleOutput(r.Name)), &awscdk.CfnOutputProps{
			Value:       s.AccessRoles[r.Name].Resource.RoleArn(),
			Description: jsii.String("Assume it for Bedrock; npm run client-settings -- " + env.Name + " " + r.Name + " prints the AWS CLI, Claude Code and Careti settings"),
		})
	}
}
