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
	// Principals are IAM role or user ARNs that may invoke. More can be admitted with Admit or
	// GrantInvoke; at least one is required by synthesis.
	Principals []string
	// ClientSecurityGroups may open HTTPS connections to the endpoint; more with AllowFrom.
	ClientSecurityGroups []awsec2.ISecurityGroup
	// Deny turns the policy's Allow into Deny, which blocks every call through the endpoint: the source
	// blog's test that traffic really flows through it. Default: false.
	Deny bool
}

func (p Props) validate() error {
	var errs []error
	if p.Vpc == nil {
		errs = append(errs, errors.New("Props.Vpc is nil: give the VPC to place the endpoint in"))
	}
	if len(p.ModelArns) == 0 {
		errs = append(errs, errors.New("Props.ModelArns is empty: give the foundation-model or inference-profile ARNs that may be invoked"))
	}
	return errors.Join(errs...)
}

// Endpoint is what New made.
type Endpoint struct {
	constructs.Construct
	Resource      awsec2.InterfaceVpcEndpoint
	SecurityGroup awsec2.SecurityGroup
	modelArns     []string
	invoke        awsiam.PolicyStatement
	principals    int
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
	e := &Endpoint{Construct: c, modelArns: props.ModelArns}
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
	effect := awsiam.Effect_ALLOW
	if props.Deny {
		effect = awsiam.Effect_DENY
	}
	e.invoke = awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("InvokeNamedModelsByNamedPrincipals"),
		Effect:    effect,
		Actions:   jsii.Strings(invokeActions...),
		Resources: jsii.Strings(props.ModelArns...),
	})
	for _, arn := range props.Principals {
		e.Admit(awsiam.NewArnPrincipal(jsii.String(arn)))
	}
	for _, sg := range props.ClientSecurityGroups {
		e.AllowFrom(sg)
	}
	c.Node().AddValidation(&principalsGiven{e})
	return e
}

// GrantInvoke lets grantee invoke the endpoint's models, and only through this endpoint: its identity
// policy allows the invoke actions on the models with aws:SourceVpce equal to the endpoint, and the
// endpoint policy admits it. Connect its security group with AllowFrom.
func (e *Endpoint) GrantInvoke(grantee awsiam.IGrantable) awsiam.Grant {
	grant := awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
		Grantee:      grantee,
		Actions:      jsii.Strings(invokeActions...),
		ResourceArns: jsii.Strings(e.modelArns...),
		Conditions: &map[string]*map[string]any{
			"StringEquals": {"aws:SourceVpce": e.Resource.VpcEndpointId()},
		},
	})
	if st := grant.PrincipalStatement(); st != nil {
		st.SetSid(jsii.String("InvokeNamedModelsThroughTheEndpointOnly"))
	}
	e.Admit(grantee.GrantPrincipal())
	return grant
}

// Admit lets principal invoke the named models through the endpoint, as far as the endpoint policy
// decides; the principal's own policy must allow it too (GrantInvoke does both).
func (e *Endpoint) Admit(principal awsiam.IPrincipal) {
	e.invoke.AddPrincipals(principal)
	e.principals++
	// The policy takes the statement once it has a principal; later ones join the same statement.
	if e.principals == 1 {
		e.Resource.AddToPolicy(e.invoke)
	}
}

// AllowFrom opens HTTPS to the endpoint from a client security group.
func (e *Endpoint) AllowFrom(client awsec2.ISecurityGroup) {
	e.SecurityGroup.AddIngressRule(client, awsec2.Port_Tcp(jsii.Number(443)), jsii.String("HTTPS from a Bedrock client"), jsii.Bool(false))
}

// principalsGiven fails synthesis when nobody was admitted: an endpoint policy statement without
// principals is rejected at deploy time.
type principalsGiven struct{ e *Endpoint }

func (v *principalsGiven) Validate() *[]*string {
	if v.e.principals == 0 {
		return &[]*string{jsii.String("bedrockendpoint: no principals: set Props.Principals or call GrantInvoke with the roles that invoke models")}
	}
	return &[]*string{}
}
