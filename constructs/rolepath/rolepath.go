// Package rolepath puts the roles a stack creates without a name of their own under the IAM path
// /<stack name>/. CloudFormation generates such a role's name from the stack's name and the logical ID,
// shortened to IAM's 64 characters in a way AWS does not document, so no name pattern is sure to match
// every role of a stack. A path is kept as given, so the account's policies (the CloudFormation
// execution policy, the organisation's service control policies) name the stack's roles by it:
// arn:<partition>:iam::<account>:role/<stack name>/*.
package rolepath

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Of is the path of the roles of scope's stack: give it as a role's Path where the role is made.
func Of(scope constructs.IConstruct) *string {
	return jsii.String("/" + *awscdk.Stack_Of(scope).StackName() + "/")
}

// Apply puts every role of stack that has no path yet under Of(stack): for roles aws-cdk-lib makes
// itself, such as CDK Pipelines'. It visits every construct of the stack, a call to the jsii kernel
// each, so give Of where the roles are made instead when they are the stack's own.
//
// A role with a path must be named by its ARN, not its name: aws-cdk-lib gives CodeBuild projects
// their role's ARN (GetAtt), but the CloudFormation validator's E3050, meant for a Ref, reports every
// CodeBuild project whose role has a path; Apply acknowledges it on those projects.
func Apply(stack awscdk.Stack) {
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		switch {
		case *awsiam.CfnRole_IsCfnRole(c):
			if role := c.(awsiam.CfnRole); role.Path() == nil {
				role.SetPath(Of(stack))
			}
		case *awscodebuild.CfnProject_IsCfnProject(c):
			awscdk.Validations_Of(c).Acknowledge(&awscdk.Acknowledgment{
				Id:     jsii.String("CloudFormation-Validate::E3050"),
				Reason: jsii.String("The project names its role by GetAtt Arn, which a role with a path needs; the rule takes it for a Ref."),
			})
		}
	}
}
