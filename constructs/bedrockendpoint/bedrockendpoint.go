// Package bedrockendpoint creates the bedrock-runtime interface endpoint and the endpoint policy that
// says who may invoke which models through it, and grants callers invoke access through it only.
package bedrockendpoint

import (
	"errors"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/compliance"
)

// invokeActions are the only actions the endpoint admits. Converse and ConverseStream are authorized
// as InvokeModel and InvokeModelWithResponseStream.
var invokeActions = []string{"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"}

// Props configures the endpoint.
type Props struct {
	// Vpc to place the endpoint in. Required.
	Vpc awsec2.IVpc
	// Subnets for the endpoint's network interfaces. Default: the VPC's isolated subnets.
	Subnets *awsec2.SubnetSelection
	// ModelArns are the foundation-model and inference-profile ARNs that may be invoked. Required.
	ModelArns []string
	// Principals are IAM role or user ARNs that may invoke without naming a guardrail, for clients that
	// cannot (account-level enforcement guards those). More with Admit.
	Principals []string
	// GuardrailAwarePrincipals may invoke only with Guardrail in their requests. Requires Guardrail.
	GuardrailAwarePrincipals []string
	// Guardrail every guardrail-aware principal, and every grantee of GrantInvoke, must apply; every
	// admitted principal may apply it (account-level enforcement applies it to their calls too).
	// Default: none.
	Guardrail *Guardrail
	// EnforcedGuardrailArns are guardrails (ARNs or ARN patterns) an Amazon Bedrock policy of the
	// organisation applies to every call in the account: every admitted principal and grantee may apply
	// them, which that enforcement requires of each caller. Default: none.
	EnforcedGuardrailArns []string
	// UnguardedEndpoint leaves bedrock:GuardrailIdentifier out of the endpoint policy. Default: false,
	// guardrail-aware principals pass the endpoint only with the guardrail.
	UnguardedEndpoint bool
	// UnguardedGrants leaves the guardrail conditions out of GrantInvoke's identity statements.
	// Default: false, grantees may invoke only with the guardrail.
	UnguardedGrants bool
	// ClientSecurityGroups may open HTTPS connections to the endpoint; more with AllowFrom.
	ClientSecurityGroups []awsec2.ISecurityGroup
	// Deny turns the policy's Allow into Deny, which blocks every call through the endpoint: the source
	// blog's test that traffic really flows through it. Default: false.
	Deny bool
}

// Guardrail names the guardrail version callers must apply.
type Guardrail struct {
	// Arn of the guardrail, the resource of bedrock:ApplyGuardrail.
	Arn *string
	// VersionedArn is "<guardrail ARN>:<version>", what bedrock:GuardrailIdentifier compares against.
	VersionedArn *string
}

func (p Props) validate() error {
	var errs []error
	if p.Vpc == nil {
		errs = append(errs, errors.New("Props.Vpc is nil: give the VPC to place the endpoint in"))
	}
	if len(p.ModelArns) == 0 {
		errs = append(errs, errors.New("Props.ModelArns is empty: give the foundation-model or inference-profile ARNs that may be invoked"))
	}
	if len(p.GuardrailAwarePrincipals) > 0 && p.Guardrail == nil {
		errs = append(errs, errors.New("Props.GuardrailAwarePrincipals is set but Props.Guardrail is nil: give the guardrail they must apply"))
	}
	if p.Guardrail != nil && (p.Guardrail.Arn == nil || p.Guardrail.VersionedArn == nil) {
		errs = append(errs, errors.New("Props.Guardrail lacks Arn or VersionedArn: give both, from the guardrail construct"))
	}
	return errors.Join(errs...)
}

// Endpoint is what New made.
type Endpoint struct {
	constructs.Construct
	Resource      awsec2.InterfaceVpcEndpoint
	SecurityGroup awsec2.SecurityGroup
	modelArns     []string
	guardrail     *Guardrail
	// applicable are the guardrails callers may apply: the endpoint's and the enforced ones.
	applicable, enforced               []string
	unguardedEndpoint, unguardedGrants bool
	effect                             awsiam.Effect
	// The endpoint policy's statements, each joining the policy with its first principal.
	invoke, guardedInvoke, applyGuardrail *admission
}

// admission is an endpoint policy statement that joins the policy with its first principal: a
// statement without principals is rejected at deploy time.
type admission struct {
	statement awsiam.PolicyStatement
	added     bool
}

// New creates the endpoint with private DNS, so SDKs inside the VPC reach it under the regional
// bedrock-runtime host name without configuration.
func New(scope constructs.Construct, id string, props Props) *Endpoint {
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("bedrockendpoint %q: %v", id, err))
	}
	if props.Subnets == nil {
		props.Subnets = &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	e := &Endpoint{Construct: c, modelArns: props.ModelArns, guardrail: props.Guardrail, effect: awsiam.Effect_ALLOW,
		unguardedEndpoint: props.UnguardedEndpoint, unguardedGrants: props.UnguardedGrants}
	if props.Deny {
		e.effect = awsiam.Effect_DENY
	}
	e.SecurityGroup = awsec2.NewSecurityGroup(c, jsii.String("SecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              props.Vpc,
		Description:      jsii.String("HTTPS to bedrock-runtime from the client security groups only"),
		AllowAllOutbound: jsii.Bool(false),
	})
	e.Resource = awsec2.NewInterfaceVpcEndpoint(c, jsii.String("Resource"), &awsec2.InterfaceVpcEndpointProps{
		Vpc:               props.Vpc,
		Service:           awsec2.InterfaceVpcEndpointAwsService_BEDROCK_RUNTIME(),
		PrivateDnsEnabled: jsii.Bool(true),
		Subnets:           props.Subnets,
		SecurityGroups:    &[]awsec2.ISecurityGroup{e.SecurityGroup},
		Open:              jsii.Bool(false),
	})
	e.invoke = e.newAdmission("InvokeNamedModelsByNamedPrincipals", invokeActions, props.ModelArns, nil)
	if g := props.Guardrail; g != nil {
		e.guardedInvoke = e.invoke
		if !props.UnguardedEndpoint {
			e.guardedInvoke = e.newAdmission("InvokeNamedModelsWithTheGuardrail", invokeActions, props.ModelArns,
				map[string]any{"StringEquals": map[string]any{"bedrock:GuardrailIdentifier": g.VersionedArn}})
		}
		e.applicable = append(e.applicable, *g.Arn)
	}
	e.enforced = props.EnforcedGuardrailArns
	e.applicable = append(e.applicable, e.enforced...)
	if len(e.applicable) > 0 {
		e.applyGuardrail = e.newAdmission("ApplyTheGuardrail", []string{"bedrock:ApplyGuardrail"}, e.applicable, nil)
	}
	for _, arn := range props.Principals {
		e.Admit(awsiam.NewArnPrincipal(jsii.String(arn)))
	}
	for _, arn := range props.GuardrailAwarePrincipals {
		e.AdmitWithGuardrail(awsiam.NewArnPrincipal(jsii.String(arn)))
	}
	for _, sg := range props.ClientSecurityGroups {
		e.AllowFrom(sg)
	}
	c.Node().AddValidation(&principalsGiven{e})
	return e
}

func (e *Endpoint) newAdmission(sid string, actions, resources []string, conditions map[string]any) *admission {
	props := &awsiam.PolicyStatementProps{
		Sid:       jsii.String(sid),
		Effect:    e.effect,
		Actions:   jsii.Strings(actions...),
		Resources: jsii.Strings(resources...),
	}
	if conditions != nil {
		props.Conditions = &conditions
	}
	return &admission{statement: awsiam.NewPolicyStatement(props)}
}

func (e *Endpoint) admit(a *admission, principal awsiam.IPrincipal) {
	a.statement.AddPrincipals(principal)
	if !a.added {
		e.Resource.AddToPolicy(a.statement)
		a.added = true
	}
}

// GrantInvoke lets grantee invoke the endpoint's models, and only through this endpoint: its identity
// policy allows the invoke actions on the models with aws:SourceVpce equal to the endpoint, and the
// endpoint policy admits it. Where the endpoint has a guardrail, both also require it in every request
// (bedrock:GuardrailIdentifier), an explicit Deny refuses calls without it or with another, as AWS
// documents for that key, and the grantee may apply it. Connect its security group with AllowFrom.
func (e *Endpoint) GrantInvoke(grantee awsiam.IGrantable) awsiam.Grant {
	guarded := e.guardrail != nil && !e.unguardedGrants
	equals := map[string]any{"aws:SourceVpce": e.Resource.VpcEndpointId()}
	if guarded {
		equals["bedrock:GuardrailIdentifier"] = e.guardrail.VersionedArn
	}
	grant := awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
		Grantee:      grantee,
		Actions:      jsii.Strings(invokeActions...),
		ResourceArns: jsii.Strings(e.modelArns...),
		Conditions:   &map[string]*map[string]any{"StringEquals": &equals},
	})
	if st := grant.PrincipalStatement(); st != nil {
		st.SetSid(jsii.String("InvokeNamedModelsThroughTheEndpointOnly"))
	}
	if e.guardrail == nil {
		e.Admit(grantee.GrantPrincipal())
		if len(e.applicable) > 0 {
			grant = grant.Combine(e.grantApply(grantee))
		}
		return grant
	}
	if guarded {
		grantee.GrantPrincipal().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("DenyInvokeWithoutTheGuardrail"),
			Effect:    awsiam.Effect_DENY,
			Actions:   jsii.Strings(invokeActions...),
			Resources: jsii.Strings("*"),
			Conditions: &map[string]any{
				"StringNotEquals": map[string]any{"bedrock:GuardrailIdentifier": e.guardrail.VersionedArn},
			},
		}))
	}
	apply := e.grantApply(grantee)
	e.AdmitWithGuardrail(grantee.GrantPrincipal())
	return grant.Combine(apply)
}

// grantApply lets grantee apply the guardrails callers may apply.
func (e *Endpoint) grantApply(grantee awsiam.IGrantable) awsiam.Grant {
	if construct, ok := grantee.(constructs.IConstruct); ok && len(e.enforced) > 0 {
		compliance.AcceptNag(construct, compliance.EnforcedGuardrails(e.enforced))
	}
	return awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
		Grantee:      grantee,
		Actions:      jsii.Strings("bedrock:ApplyGuardrail"),
		ResourceArns: jsii.Strings(e.applicable...),
	})
}

// Admit lets principal invoke the named models through the endpoint without naming a guardrail, as far
// as the endpoint policy decides, and apply the endpoint's guardrail if it has one; its own policy must
// allow it too.
func (e *Endpoint) Admit(principal awsiam.IPrincipal) {
	e.admit(e.invoke, principal)
	if e.applyGuardrail != nil {
		e.admit(e.applyGuardrail, principal)
	}
}

// AdmitWithGuardrail lets principal invoke the named models through the endpoint only with the
// endpoint's guardrail in the request, and apply that guardrail. The endpoint must have one.
func (e *Endpoint) AdmitWithGuardrail(principal awsiam.IPrincipal) {
	if e.guardrail == nil {
		panic(fmt.Sprintf("bedrockendpoint %s: AdmitWithGuardrail without Props.Guardrail: give the endpoint the guardrail", *e.Node().Path()))
	}
	e.admit(e.guardedInvoke, principal)
	e.admit(e.applyGuardrail, principal)
}

// AllowFrom opens HTTPS to the endpoint from a client security group.
func (e *Endpoint) AllowFrom(client awsec2.ISecurityGroup) {
	e.SecurityGroup.AddIngressRule(client, awsec2.Port_Tcp(jsii.Number(443)), jsii.String("HTTPS from a Bedrock client"), jsii.Bool(false))
}

// principalsGiven fails synthesis when nobody was admitted: an endpoint policy without statements
// admits nobody, which is never what a deployment of this endpoint means.
type principalsGiven struct{ e *Endpoint }

func (v *principalsGiven) Validate() *[]*string {
	// Admit joins the open statement, AdmitWithGuardrail always the one that applies the guardrail.
	if !v.e.invoke.added && (v.e.applyGuardrail == nil || !v.e.applyGuardrail.added) {
		return &[]*string{jsii.String("bedrockendpoint: no principals: set Props.Principals or call GrantInvoke with the roles that invoke models")}
	}
	return &[]*string{}
}
