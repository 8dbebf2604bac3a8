// Package scp creates an AWS Organizations service control policy from an IAM policy document,
// attached to OUs or accounts, and checks at synthesis that the document fits Organizations' limit.
package scp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsorganizations"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// MaxSize is the largest service control policy Organizations accepts, in characters (Quotas for AWS
// Organizations, "Maximum size of a policy document").
const MaxSize = 5120

// Props configures the policy.
type Props struct {
	// Name of the policy in Organizations. Required.
	Name string
	// Description says what the policy holds the targets to. Optional.
	Description string
	// Document is the policy. Its statements name no principal: an SCP applies to every principal of
	// its targets. Required.
	Document awsiam.PolicyDocument
	// Targets are the OU IDs (ou-…) and account IDs the policy is attached to. Required.
	Targets []string
	// Shrink says how to make the document smaller when it exceeds MaxSize: what in the caller's input
	// makes it grow. Default: split the statements between two policies.
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

// New creates the policy. A document larger than MaxSize is a synthesis error on the policy, naming its
// size, the limit and props.Shrink: Organizations would refuse it only during the deployment.
func New(scope constructs.Construct, id string, props Props) *Policy {
	if props.Name == "" || props.Document == nil || len(props.Targets) == 0 {
		panic(fmt.Sprintf("scp %q: Name, Document and Targets are required", id))
	}
	for _, t := range props.Targets {
		if !target.MatchString(t) {
			panic(fmt.Sprintf("scp %q: target %q is neither an OU ID nor an account ID", id, t))
		}
	}
	if errs := props.Document.ValidateForIdentityPolicy(); len(*errs) > 0 {
		panic(fmt.Sprintf("scp %q: %s", id, *(*errs)[0]))
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	// The resolved document, not the PolicyDocument: Content is plain JSON whose size is checked here,
	// and a JSON object rather than a string keeps drift detection working.
	content := stack.Resolve(props.Document)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// Organizations counts the characters it is given; escaping <, > and & would count more.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(content); err != nil {
		panic(fmt.Sprintf("scp %q: %v", id, err))
	}
	p := &Policy{Construct: c, Content: string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))}
	var description *string
	if props.Description != "" {
		description = jsii.String(props.Description)
	}
	p.Resource = awsorganizations.NewCfnPolicy(c, jsii.String("Resource"), &awsorganizations.CfnPolicyProps{
		Name:        jsii.String(props.Name),
		Description: description,
		Type:        jsii.String("SERVICE_CONTROL_POLICY"),
		Content:     content,
		TargetIds:   jsii.Strings(props.Targets...),
	})
	// Bytes, which Organizations' characters never outnumber; the same for ASCII documents.
	if size := len(p.Content); size > MaxSize {
		shrink := props.Shrink
		if shrink == "" {
			shrink = "split its statements between two policies"
		}
		awscdk.Annotations_Of(p.Resource).AddError(jsii.String(fmt.Sprintf(
			"service control policy %s is %d characters as minified JSON, more than the %d Organizations accepts: %s",
			props.Name, size, MaxSize, shrink)))
	}
	return p
}
