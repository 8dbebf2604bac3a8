package scp_test

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/privatebedrock/stack/constructs/scp"
	"github.com/privatebedrock/stack/internal/cdktest"
)

func ExampleNew() {
	// A bare app, and in it a stack in account 111111111111 of us-east-1 (the management account).
	_, stack := cdktest.Stack("Guardrails")
	deny := func(actions ...string) awsiam.PolicyDocument {
		return awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &[]awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Effect: awsiam.Effect_DENY, Actions: jsii.Strings(actions...), Resources: jsii.Strings("*")}),
		}})
	}
	small := scp.New(stack, "NoLeaving", scp.Props{
		Name:     "no-leaving",
		Document: deny("organizations:LeaveOrganization"),
		Targets:  []string{"ou-abcd-11111111"},
	})
	fmt.Println(small.Content, len(small.Content), "characters")
	fmt.Println(*small.Resource.Type(), *(*small.Resource.TargetIds())[0])

	// Thousands of actions make a document Organizations would refuse: the synthesis fails on it.
	var many []string
	for i := range 300 {
		many = append(many, fmt.Sprintf("bedrock:Action%d", i))
	}
	large := scp.New(stack, "TooLarge", scp.Props{Name: "too-large", Document: deny(many...), Targets: []string{"222222222222"},
		Shrink: "deny fewer actions"})
	for _, m := range *large.Resource.Node().Metadata() {
		if *m.Type == "aws:cdk:error" {
			fmt.Println(strings.Replace(fmt.Sprint(m.Data), fmt.Sprint(len(large.Content)), "N", 1))
		}
	}
	// Output:
	// {"Statement":[{"Action":"organizations:LeaveOrganization","Effect":"Deny","Resource":"*"}],"Version":"2012-10-17"} 114 characters
	// SERVICE_CONTROL_POLICY ou-abcd-11111111
	// service control policy too-large is N characters as minified JSON, more than the 5120 Organizations accepts: deny fewer actions
}
