// Package scp creates an AWS Organizations service control policy from an IAM policy document,
// attached to OUs or accounts, and checks at synthesis that the document fits Organizations' limit.
package scp

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/privatebedrock/stack/constructs/orgpolicy"
)

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
	// Shrink says how to make the document smaller when it exceeds
	// orgpolicy.ServiceControlPolicy.MaxSize: what in the caller's input makes it grow. Default: split
	// the statements between two policies.
	Shrink string
}

// Policy is what New made: the policy and its content as Organizations receives it.
type Policy = orgpolicy.Policy

// New creates the policy. A document larger than Organizations accepts is a synthesis error on the
// policy, naming its size, the limit and props.Shrink: Organizations would refuse it only during the
// deployment.
func New(scope constructs.Construct, id string, props Props) *Policy {
	if props.Document == nil {
		panic(fmt.Sprintf("scp %q: Document is required", id))
	}
	if errs := props.Document.ValidateForIdentityPolicy(); len(*errs) > 0 {
		panic(fmt.Sprintf("scp %q: %s", id, *(*errs)[0]))
	}
	shrink := props.Shrink
	if shrink == "" {
		shrink = "split its statements between two policies"
	}
	return orgpolicy.New(scope, id, orgpolicy.Props{
		Type:        orgpolicy.ServiceControlPolicy,
		Name:        props.Name,
		Description: props.Description,
		Document:    props.Document,
		Targets:     props.Targets,
		Shrink:      shrink,
	})
}
