// Package accessrole creates an assumable role for the people and tools that call Bedrock: the IAM
// guide's BedrockExecutionRole, a Claude Code or Careti role. Its trust names who may assume it (with
// MFA or a source identity where required), its permissions allow invoking the named models and
// inference profiles and the read-only discovery the tools need, and nothing broader; an explicit Deny
// keeps its sessions to the configured networks and away from Bedrock API keys.
package accessrole

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/compliance"
)

// Props configures the role.
type Props struct {
	// RoleName is fixed: profiles, tools and other accounts' policies name the role. Required.
	RoleName string
	// Description says who the role is for. Optional.
	Description string
	// TrustedPrincipals are IAM user or role ARNs that may assume the role.
	TrustedPrincipals []string
	// TrustedServices are service principals that may assume the role, e.g. ec2.amazonaws.com. At
	// least one principal or service.
	TrustedServices []string
	// RequireMFA admits TrustedPrincipals only with MFA.
	RequireMFA bool
	// RequireSourceIdentity admits TrustedPrincipals only when they set a source identity.
	RequireSourceIdentity bool
	// MaxSessionHours is the longest session, 1 to 12. Default: 1.
	MaxSessionHours int

	// ModelArns are the foundation-model and inference-profile ARNs the role may invoke (a profile's
	// destination-region models included) and read. Required.
	ModelArns []string
	// GuardrailArn is the guardrail the role may apply, which account-level enforcement applies to its
	// calls. Optional.
	GuardrailArn *string
	// EnforcedGuardrailArns are guardrails (ARNs or ARN patterns) an Amazon Bedrock policy of the
	// organisation applies to the role's calls, which it must therefore be allowed to apply. Optional.
	EnforcedGuardrailArns []string
	// GuardrailVersionedArn, when set, is the guardrail every request must name
	// (bedrock:GuardrailIdentifier), for callers that can. Requires GuardrailArn.
	GuardrailVersionedArn *string

	// SourceVpces are VPC endpoint IDs the role's sessions may call through (aws:SourceVpce).
	SourceVpces []*string
	// SourceIPs are public CIDR blocks the role's sessions may call from (aws:SourceIp).
	SourceIPs []string
	// AnyNetwork lifts the network restriction; synthesis warns about it. Exclusive with the two above,
	// one of which is required otherwise.
	AnyNetwork bool

	// MarketplaceSubscription lets the role subscribe to third-party models through Bedrock only.
	MarketplaceSubscription bool
}

// Role is what New made.
type Role struct {
	constructs.Construct
	Resource awsiam.Role
	// Policy holds every permission of the role.
	Policy awsiam.Policy
}

var (
	invokeActions    = []string{"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"}
	roleName         = regexp.MustCompile(`^[A-Za-z0-9+=,.@_-]{1,64}$`)
	principalArn     = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:(user|role)/[A-Za-z0-9+=,.@_/-]+$`)
	servicePrincipal = regexp.MustCompile(`^[a-z0-9-]+\.amazonaws\.com$`)
)

// New creates the role.
func New(scope constructs.Construct, id string, props Props) *Role {
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("accessrole %q: %v", id, err))
	}
	hours := props.MaxSessionHours
	if hours == 0 {
		hours = 1
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	r := &Role{Construct: c}
	description := props.Description
	if description == "" {
		description = "Invokes the environment's Bedrock models"
	}
	r.Resource = awsiam.NewRole(c, jsii.String("Resource"), &awsiam.RoleProps{
		RoleName:           jsii.String(props.RoleName),
		Description:        jsii.String(description),
		AssumedBy:          props.trust(),
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(float64(hours))),
	})
	if len(props.TrustedPrincipals) > 0 {
		// Setting a source identity needs its own action; allowed always, it only adds the person's name
		// to the session's CloudTrail records, and is what RequireSourceIdentity insists on.
		principals := props.trustedPrincipals()
		r.Resource.AssumeRolePolicy().AddStatements(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Principals: &principals,
			Actions:    jsii.Strings("sts:SetSourceIdentity"),
		}))
	}
	// One policy resource rather than inline: it names the endpoints, whose policies name the role. Its
	// Allows and Denies arrive together, so the role never holds one without the other.
	r.Policy = awsiam.NewPolicy(c, jsii.String("Permissions"), &awsiam.PolicyProps{
		Document: props.permissions(),
		Roles:    &[]awsiam.IRole{r.Resource},
	})
	if props.AnyNetwork {
		awscdk.Annotations_Of(c).AddWarningV2(jsii.String("accessrole:AnyNetwork"), jsii.String(fmt.Sprintf(
			"Role %s may call Bedrock from any network: its credentials work wherever they leak to. Prefer the endpoint or corporate source IPs.", props.RoleName)))
	}
	exceptions := []compliance.Exception{
		{Rule: "AwsSolutions-IAM5", AppliesTo: []string{"Resource::*"},
			Reason: "Only actions without resource-level permissions take *: ListInferenceProfiles, ListFoundationModels and the Marketplace actions Bedrock calls; the Deny statements take * on purpose."},
		{Rule: "NIST.800.53.R5-IAMNoInlinePolicy",
			Reason: "The policy belongs to this one role and is created and deleted with it; a managed policy would be one more thing others could attach elsewhere."},
	}
	if len(props.EnforcedGuardrailArns) > 0 {
		exceptions = append(exceptions, compliance.EnforcedGuardrails(props.EnforcedGuardrailArns))
	}
	compliance.AcceptNag(r.Policy, exceptions...)
	return r
}

// trust admits the principals (with MFA or a source identity where required) and the services.
func (p Props) trust() awsiam.IPrincipal {
	principals := p.trustedPrincipals()
	for _, service := range p.TrustedServices {
		principals = append(principals, awsiam.NewServicePrincipal(jsii.String(service), nil))
	}
	return awsiam.NewCompositePrincipal(principals...)
}

// trustedPrincipals are the trusted users and roles, with the conditions their sessions must meet.
func (p Props) trustedPrincipals() []awsiam.IPrincipal {
	conditions := map[string]any{}
	if p.RequireMFA {
		conditions["Bool"] = map[string]any{"aws:MultiFactorAuthPresent": "true"}
	}
	if p.RequireSourceIdentity {
		conditions["StringLike"] = map[string]any{"sts:SourceIdentity": "*"}
	}
	principals := make([]awsiam.IPrincipal, len(p.TrustedPrincipals))
	for i, arn := range p.TrustedPrincipals {
		principals[i] = awsiam.NewArnPrincipal(jsii.String(arn))
		if len(conditions) > 0 {
			principals[i] = awsiam.NewArnPrincipal(jsii.String(arn)).WithConditions(&conditions)
		}
	}
	return principals
}

// permissions is the role's only policy.
func (p Props) permissions() awsiam.PolicyDocument {
	statement := func(sid string, effect awsiam.Effect, actions, resources []string, conditions map[string]any) awsiam.PolicyStatement {
		props := &awsiam.PolicyStatementProps{Sid: jsii.String(sid), Effect: effect, Actions: jsii.Strings(actions...), Resources: jsii.Strings(resources...)}
		if conditions != nil {
			props.Conditions = &conditions
		}
		return awsiam.NewPolicyStatement(props)
	}
	var profiles, models []string
	for _, arn := range p.ModelArns {
		if strings.Contains(arn, ":inference-profile/") {
			profiles = append(profiles, arn)
		} else {
			models = append(models, arn)
		}
	}
	var invokeConditions map[string]any
	if p.GuardrailVersionedArn != nil {
		invokeConditions = map[string]any{"StringEquals": map[string]any{"bedrock:GuardrailIdentifier": p.GuardrailVersionedArn}}
	}
	statements := []awsiam.PolicyStatement{
		statement("InvokeTheEnvironmentsModels", awsiam.Effect_ALLOW, invokeActions, p.ModelArns, invokeConditions),
		// List actions take no resource; the Get actions take the models and profiles of the environment.
		statement("ListModelsAndProfiles", awsiam.Effect_ALLOW, []string{"bedrock:ListInferenceProfiles", "bedrock:ListFoundationModels"}, []string{"*"}, nil),
	}
	if len(models) > 0 {
		statements = append(statements, statement("ReadTheEnvironmentsModels", awsiam.Effect_ALLOW, []string{"bedrock:GetFoundationModel"}, models, nil))
	}
	if len(profiles) > 0 {
		statements = append(statements, statement("ReadTheEnvironmentsProfiles", awsiam.Effect_ALLOW, []string{"bedrock:GetInferenceProfile"}, profiles, nil))
	}
	applicable := slices.Clone(p.EnforcedGuardrailArns)
	if p.GuardrailArn != nil {
		applicable = append([]string{*p.GuardrailArn}, applicable...)
	}
	if len(applicable) > 0 {
		statements = append(statements, statement("ApplyTheGuardrail", awsiam.Effect_ALLOW, []string{"bedrock:ApplyGuardrail"}, applicable, nil))
	}
	if p.GuardrailVersionedArn != nil {
		// The Deny AWS documents with bedrock:GuardrailIdentifier: it holds whatever policy is attached to
		// the role later.
		statements = append(statements, statement("DenyInvokeWithoutTheGuardrail", awsiam.Effect_DENY, invokeActions, []string{"*"},
			map[string]any{"StringNotEquals": map[string]any{"bedrock:GuardrailIdentifier": p.GuardrailVersionedArn}}))
	}
	if p.MarketplaceSubscription {
		statements = append(statements, statement("SubscribeToModelsThroughBedrockOnly", awsiam.Effect_ALLOW,
			[]string{"aws-marketplace:Subscribe", "aws-marketplace:ViewSubscriptions"}, []string{"*"},
			map[string]any{"StringEquals": map[string]any{"aws:CalledViaLast": "bedrock.amazonaws.com"}}))
	}
	if !p.AnyNetwork {
		statements = append(statements, statement("DenyBedrockFromOtherNetworks", awsiam.Effect_DENY, []string{"bedrock:*"}, []string{"*"}, p.networkConditions()))
	}
	// A Bedrock API key is a credential outside this role's conditions: a long-term key is an IAM user
	// of its own, a short-term one carries the session's permissions to any network.
	statements = append(statements,
		statement("DenyBedrockApiKeys", awsiam.Effect_DENY, []string{"bedrock:CallWithBearerToken", "bedrock-mantle:CallWithBearerToken"}, []string{"*"}, nil),
		statement("DenyCreatingBedrockApiKeys", awsiam.Effect_DENY, []string{"iam:CreateServiceSpecificCredential"}, []string{"*"},
			map[string]any{"StringEquals": map[string]any{"iam:ServiceSpecificCredentialServiceName": "bedrock.amazonaws.com"}}),
	)
	return awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements})
}

// networkConditions match a request from neither the endpoints nor the source IPs. A request through a
// VPC endpoint carries aws:SourceVpce and no aws:SourceIp, one over the internet the reverse, hence
// IfExists; calls AWS services make for the session (aws:ViaAWSService) are left to their own checks.
func (p Props) networkConditions() map[string]any {
	conditions := map[string]any{"BoolIfExists": map[string]any{"aws:ViaAWSService": "false"}}
	if len(p.SourceVpces) > 0 {
		conditions["StringNotEqualsIfExists"] = map[string]any{"aws:SourceVpce": p.SourceVpces}
	}
	if len(p.SourceIPs) > 0 {
		conditions["NotIpAddressIfExists"] = map[string]any{"aws:SourceIp": p.SourceIPs}
	}
	return conditions
}

func (p Props) validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !roleName.MatchString(p.RoleName) {
		bad("Props.RoleName %q is not an IAM role name: give 1 to 64 letters, digits and +=,.@_-", p.RoleName)
	}
	if len(p.TrustedPrincipals) == 0 && len(p.TrustedServices) == 0 {
		bad("Props.TrustedPrincipals and Props.TrustedServices are empty: name who may assume the role")
	}
	for _, arn := range p.TrustedPrincipals {
		if !principalArn.MatchString(arn) {
			bad("Props.TrustedPrincipals has %q, not an IAM user or role ARN: give arn:aws:iam::<account>:user/<name> or :role/<name>, no wildcards", arn)
		}
	}
	for _, s := range p.TrustedServices {
		if !servicePrincipal.MatchString(s) {
			bad("Props.TrustedServices has %q, not a service principal: give e.g. ec2.amazonaws.com", s)
		}
	}
	if (p.RequireMFA || p.RequireSourceIdentity) && len(p.TrustedPrincipals) == 0 {
		bad("Props.RequireMFA or Props.RequireSourceIdentity is set but only services are trusted, which assume roles without either: trust principals or drop the requirement")
	}
	if p.MaxSessionHours < 0 || p.MaxSessionHours > 12 {
		bad("Props.MaxSessionHours %d is outside what IAM accepts: give 1 to 12, or 0 for 1", p.MaxSessionHours)
	}
	if len(p.ModelArns) == 0 {
		bad("Props.ModelArns is empty: give the foundation-model and inference-profile ARNs the role may invoke")
	}
	if p.GuardrailVersionedArn != nil && p.GuardrailArn == nil {
		bad("Props.GuardrailVersionedArn is set without Props.GuardrailArn: give both, from the guardrail construct")
	}
	networks := len(p.SourceVpces) > 0 || len(p.SourceIPs) > 0
	switch {
	case p.AnyNetwork && networks:
		bad("Props.AnyNetwork is set with Props.SourceVpces or Props.SourceIPs: choose any network or the named ones")
	case !p.AnyNetwork && !networks:
		bad("Props.SourceVpces and Props.SourceIPs are empty: name the networks the role may call from, or set Props.AnyNetwork deliberately")
	}
	for _, cidr := range p.SourceIPs {
		if prefix, err := netip.ParsePrefix(cidr); err != nil || prefix.Bits() == 0 {
			bad("Props.SourceIPs has %q, not a bounded CIDR block: give corporate egress blocks such as 203.0.113.0/24", cidr)
		}
	}
	return errors.Join(errs...)
}
