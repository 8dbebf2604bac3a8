// Package orgpolicy creates an AWS Organizations policy of a given type from its document, attached to
// OUs or accounts, and checks at synthesis that the document fits the size Organizations accepts for
// that type.
package orgpolicy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsorganizations"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Type is a policy type of Organizations.
type Type struct {
	// Name is the type as CloudFormation and the Organizations API write it.
	Name string
	// Label names the type in errors.
	Label string
	// MaxSize is the largest document of the type Organizations accepts, in characters.
	MaxSize int
}

// The policy types this project creates. The sizes are Organizations' quotas ("Maximum size of a policy
// document" in Quotas for AWS Organizations, repeated in AWS::Organizations::Policy's Content).
var (
	ServiceControlPolicy = Type{Name: "SERVICE_CONTROL_POLICY", Label: "service control policy", MaxSize: 5120}
	// BedrockPolicy enforces an Amazon Bedrock guardrail on the inference calls of the targets; the
	// policy type must be enabled on the organisation's root first, which CloudFormation cannot do.
	BedrockPolicy = Type{Name: "BEDROCK_POLICY", Label: "Amazon Bedrock policy", MaxSize: 10000}
)

// Props configures the policy.
type Props struct {
	// Type of the policy. Required.
	Type Type
	// Name of the policy in Organizations. Required.
	Name string
	// Description says what the policy holds the targets to. Optional.
	Description string
	// Document is the policy's content: an awsiam.PolicyDocument, or maps and lists in the type's
	// syntax. A deploy-time value in it counts as the CloudFormation function that stands for it, which
	// is longer than the value it becomes, so the size check errs on the safe side. Required.
	Document any
	// Targets are the OU IDs (ou-…) and account IDs the policy is attached to. Required.
	Targets []string
	// Shrink says how to make the document smaller when it exceeds Type.MaxSize: what in the caller's
	// input makes it grow. Required.
	Shrink string
}

// Policy is what New made.
type Policy struct {
	constructs.Construct
	Resource awsorganizations.CfnPolicy
	// Content is the document as CloudFormation hands it to Organizations: minified JSON.
	Content string
}

var target = regexp.MustCompile(`^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|[0-9]{12})$`)

// New creates the policy. A document larger than the type's MaxSize is a synthesis error on the policy,
// naming its size, the limit and props.Shrink: Organizations would refuse it only during the deployment.
func New(scope constructs.Construct, id string, props Props) *Policy {
	t := props.Type
	if t.Name == "" || props.Name == "" || props.Document == nil || len(props.Targets) == 0 || props.Shrink == "" {
		panic(fmt.Sprintf("policy %q: Type, Name, Document, Targets and Shrink are required", id))
	}
	for _, tg := range props.Targets {
		if !target.MatchString(tg) {
			panic(fmt.Sprintf("%s %q: target %q is neither an OU ID nor an account ID", t.Label, id, tg))
		}
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	// The resolved document, not the construct: Content is plain JSON whose size is checked here, and a
	// JSON object rather than a string keeps drift detection working.
	content := stack.Resolve(props.Document)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// Organizations counts the characters it is given; escaping <, > and & would count more.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(content); err != nil {
		panic(fmt.Sprintf("%s %q: %v", t.Label, id, err))
	}
	p := &Policy{Construct: c, Content: string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))}
	var description *string
	if props.Description != "" {
		description = jsii.String(props.Description)
	}
	p.Resource = awsorganizations.NewCfnPolicy(c, jsii.String("Resource"), &awsorganizations.CfnPolicyProps{
		Name:        jsii.String(props.Name),
		Description: description,
		Type:        jsii.String(t.Name),
		Content:     content,
		TargetIds:   jsii.Strings(props.Targets...),
	})
	// Bytes, which Organizations' characters never outnumber; the same for ASCII documents.
	if size := len(p.Content); size > t.MaxSize {
		awscdk.Annotations_Of(p.Resource).AddError(jsii.String(fmt.Sprintf(
			"%s %s is %d characters as minified JSON, more than the %d Organizations accepts: %s",
			t.Label, props.Name, size, t.MaxSize, props.Shrink)))
	}
	return p
}
